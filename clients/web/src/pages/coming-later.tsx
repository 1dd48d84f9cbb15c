export function ComingLaterPage() {
  return (
    <section>
      <h1>Coming later</h1>
      <p>This page is planned: agents, projects and render jobs will appear here.</p>
    </section>
  );
}
