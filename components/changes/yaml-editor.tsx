'use client';
// The YAML of a change, in CodeMirror 6 with YAML highlighting; the server's problems are
// shown inline at their document's line, and the text stays the source of truth.
import { yaml } from '@codemirror/lang-yaml';
import { type Diagnostic, linter, lintGutter, forceLinting } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';

export interface EditorProblem {
  line?: number;
  where: string;
  object?: string;
  path: string;
  message: string;
}

export function YamlEditor({ value, onChange, problems, label }: { value: string; onChange: (v: string) => void; problems: EditorProblem[]; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const problemsRef = useRef(problems);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    if (!host.current) return;
    const serverProblems = linter((v) => {
      const out: Diagnostic[] = [];
      for (const p of problemsRef.current) {
        const lineNo = Math.min(Math.max(p.line ?? 1, 1), v.state.doc.lines);
        const line = v.state.doc.line(lineNo);
        out.push({ from: line.from, to: line.to, severity: 'error', message: `${p.object ? `${p.object}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}` });
      }
      return out;
    });
    view.current = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          serverProblems,
          keymap.of([]),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => u.docChanged && onChangeRef.current(u.state.doc.toString())),
          EditorView.theme({ '&': { fontSize: '13px', backgroundColor: '#0b1015', border: '1px solid #2a3641', borderRadius: '6px' }, '.cm-content': { fontFamily: 'ui-monospace, Menlo, monospace' }, '.cm-gutters': { backgroundColor: '#111820', color: '#6b7a88', border: 'none' } }, { dark: true }),
        ],
      }),
    });
    return () => view.current?.destroy();
    // The editor is created once; later value changes come from typing in it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value set from outside (a visual editor writing the YAML) replaces the text; typing
  // in the editor reports the same text back, which is then left alone.
  useEffect(() => {
    const v = view.current;
    if (!v || v.state.doc.toString() === value) return;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    problemsRef.current = problems;
    if (view.current) forceLinting(view.current);
  }, [problems]);

  return <div ref={host} className="yaml-editor" data-testid="yaml-editor" />;
}
