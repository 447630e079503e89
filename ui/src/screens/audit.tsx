/** Audit: being built (issue 14). */
export function AuditScreen() {
  return <h1>Audit</h1>;
}
