/** Vite's module suffixes this project uses (the rest of vite/client is not needed). */
declare module '*?worker&inline' {
  const WorkerConstructor: { new (options?: { name?: string }): Worker };
  export default WorkerConstructor;
}
