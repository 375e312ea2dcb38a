// drizzle-kit: generates SQL migrations into migrations/ from every module's *.tables.ts.
// Regenerate after changing a table: npx drizzle-kit generate --name <what-changed>
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/**/*.tables.ts",
  out: "./migrations",
});
