/** Live: being built (issue 14). */
export function LiveScreen() {
  return <h1>Live</h1>;
}
