import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Loaded from node_modules at run time, so the console server and Next share one copy.
  serverExternalPackages: ['@electric-sql/pglite', 'postgres', 'drizzle-orm', '@node-rs/argon2'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
};

export default nextConfig;
