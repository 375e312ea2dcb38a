// A progress bar on stderr (cli-progress), or a no-op when not wanted.
import cliProgress from "cli-progress";

export interface Progress { fileDone(file: string): void; stop(): void }

export function createProgress(show: boolean, totalFiles: number): Progress {
  if (!show) return { fileDone: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: "pii scan [{bar}] {percentage}% | {value}/{total} files | {file}", hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let files = 0;
  bar.start(totalFiles, 0, { file: "" });
  return {
    fileDone(file: string) { files++; bar.update(files, { file: file.slice(-40) }); },
    stop() { bar.stop(); },
  };
}
