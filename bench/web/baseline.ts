/**
 * The baseline: a static page with no React and no virtualisation that fetches the same `status`
 * matrix and writes all 10,000 rows as one HTML string, then patches cells in place for "live"
 * updates (the same number a second, applied locally). What a plain page costs on this machine.
 */
/** The page, sending `query` (the dashboard's own status document) so both pay the same server cost. */
export const baselineHtml = (query: string) => `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<style>body{margin:0;font:14px system-ui}#scroll{height:100vh;overflow:auto}td{padding:2px 6px;white-space:nowrap}
.s-ok{background:#d9f2df}.s-warn{background:#fff0c2}.s-crit{background:#fcd9d6}.s-unknown{background:#e6e0f5}</style></head>
<body><div id="scroll"><table><tbody id="rows"></tbody></table></div><script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const token = JSON.parse(sessionStorage.getItem('corral.session')).token;
fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
  body: JSON.stringify({ query: ${JSON.stringify(query)} }) })
  .then((r) => r.json())
  .then(({ data }) => {
    const rows = data.status.rows;
    document.getElementById('rows').innerHTML = rows.map((r) => '<tr data-host="' + esc(r.host.name) + '"><td><input type=checkbox></td><td><a href="/hosts/' + esc(r.host.name) + '">' + esc(r.host.name) + '</a></td><td class="s-' + r.health.toLowerCase() + '">' + r.health + '</td><td>' + esc(r.host.address) + '</td><td>' + esc(r.host.groups.map((g) => g.name).join(', ')) + '</td>' + r.cells.map((c) => c ? '<td class="s-' + c.status.toLowerCase() + '" title="' + esc(c.summary) + '">' + c.status + '</td>' : '<td>-</td>').join('') + '</tr>').join('');
    window.startUpdates = (perSecond) => {
      const body = document.getElementById('rows');
      const st = ['OK', 'WARN', 'CRIT', 'UNKNOWN'];
      return setInterval(() => {
        for (let i = 0; i < perSecond / 10; i++) {
          const tr = body.children[Math.floor(Math.random() * body.children.length)];
          const td = tr.children[5];
          const s = st[Math.floor(Math.random() * 4)];
          td.textContent = s;
          td.className = 's-' + s.toLowerCase();
        }
      }, 100);
    };
  });
</script></body></html>`;
