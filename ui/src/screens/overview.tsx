/** Overview: being built (issue 14). */
export function OverviewScreen() {
  return <h1>Overview</h1>;
}
