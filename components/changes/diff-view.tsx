'use client';
// The text diff of one object, read-only, in CodeMirror's merge view (bundled, nothing
// fetched): unified (one column, removed lines shown inline) or side by side, with long
// unchanged stretches folded. Used for "live → proposed" and "submitted → dry run".
import { yaml } from '@codemirror/lang-yaml';
import { MergeView, unifiedMergeView } from '@codemirror/merge';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'react';

export type DiffMode = 'unified' | 'split';

export function parseDiffMode(value: string | null): DiffMode {
  return value === 'split' ? 'split' : 'unified';
}

const theme = EditorView.theme(
  {
    '&': { fontSize: '12.5px', backgroundColor: '#0b1015' },
    '.cm-content': { fontFamily: 'ui-monospace, Menlo, monospace' },
    '.cm-gutters': { backgroundColor: '#111820', color: '#6b7a88', border: 'none' },
    // The merge view's own markers use a glyph few system fonts carry.
    '.cm-collapsedLines:before': { content: '"↕ "' },
    '.cm-collapsedLines:after': { content: '""' },
  },
  { dark: true },
);

function readOnly(label: string): Extension[] {
  return [lineNumbers(), yaml(), theme, EditorState.readOnly.of(true), EditorView.editable.of(false), EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' })];
}

export function DiffView({ before, after, mode, beforeLabel, afterLabel, name }: { before: string; after: string; mode: DiffMode; beforeLabel: string; afterLabel: string; name: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const parent = host.current;
    if (!parent) return;
    const collapseUnchanged = { margin: 3, minSize: 6 };
    if (mode === 'split') {
      const view = new MergeView({
        parent,
        a: { doc: before, extensions: readOnly(`${beforeLabel}: ${name}`) },
        b: { doc: after, extensions: readOnly(`${afterLabel}: ${name}`) },
        gutter: true,
        highlightChanges: true,
        collapseUnchanged,
      });
      return () => view.destroy();
    }
    const view = new EditorView({
      parent,
      state: EditorState.create({
        doc: after,
        extensions: [...readOnly(`${afterLabel}, with removed lines from ${beforeLabel}: ${name}`), unifiedMergeView({ original: before, mergeControls: false, gutter: true, highlightChanges: true, syntaxHighlightDeletions: true, collapseUnchanged })],
      }),
    });
    return () => view.destroy();
  }, [before, after, mode, beforeLabel, afterLabel, name]);
  return (
    <figure className="diff-view" data-mode={mode}>
      {mode === 'split' && (
        <div className="diff-view-heads" aria-hidden="true">
          <span>{beforeLabel}</span>
          <span>{afterLabel}</span>
        </div>
      )}
      <div ref={host} data-testid={`diff-${mode}`} />
      <figcaption className="sr-only">
        {mode === 'split' ? `${beforeLabel} on the left, ${afterLabel} on the right` : `${afterLabel}; lines removed from ${beforeLabel} shown struck in place`}
      </figcaption>
    </figure>
  );
}
