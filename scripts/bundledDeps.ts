// The packages start-up needs, bundled into the shells' entry files (out/main/index.js for
// Electron, out/main/devserver.js for browser mode) instead of loaded from node_modules: resolving
// and loading a few hundred small files of these costs more than their code. Every other package
// stays external and is loaded on first use (exceljs, pdfkit, turf, pinyin-pro, the importers'),
// or is native (better-sqlite3). bench/lib/coldstart.ts bundles its server the same way.
export const BUNDLED_DEPS = ['zod', 'drizzle-orm', 'uuid', 'fastify', '@fastify/static']
