/** A request succeeded when its status is 2xx: what the Requests page's status=ok lists, and everything else is an error. */
export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}
