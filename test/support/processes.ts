/** True while a process with this pid exists (signal 0 only checks); false once the kernel says ESRCH. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw e
  }
}
