// Each call runs a real cross-origin fetch and shows what the browser let the page see.
const config = window.PREFLIGHT_DEMO ?? { apiUrl: '' };
document.getElementById('page-origin').textContent = location.origin;
document.getElementById('api-origin').textContent = config.apiUrl ? new URL(config.apiUrl).origin : '(unknown)';

const jsonPost = (path, body) => ({
  url: `${config.apiUrl}${path}`,
  init: {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Demo-Client': 'preflight-demo' },
    body: JSON.stringify(body),
  },
});

const calls = {
  'get-users': () => ({ url: `${config.apiUrl}/users`, init: {} }),
  'post-users': () => jsonPost('/users', { name: 'Alan Turing' }),
  'post-crash': () => jsonPost('/users', { name: 'crash' }),
  'post-no-options': () => jsonPost('/no-options', { name: 'Alan Turing' }),
  'get-no-cors': () => ({ url: `${config.apiUrl}/no-cors`, init: {} }),
};

async function run(card) {
  const output = card.querySelector('output');
  const { url, init } = calls[card.dataset.call]();
  output.className = 'pending';
  output.textContent = `${init.method ?? 'GET'} ${url} …`;
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    output.className = res.ok ? 'ok' : 'error-status';
    output.textContent = `${res.status} ${res.statusText}\n${text}`;
    card.dataset.outcome = `status-${res.status}`;
  } catch (e) {
    output.className = 'blocked';
    output.textContent = `Blocked: ${e.message}\nThe browser refused to hand the response to this page. ` +
      'DevTools → Console shows why, in a line that starts with "Access to fetch at".';
    card.dataset.outcome = 'blocked';
  }
}

for (const card of document.querySelectorAll('.call')) {
  card.querySelector('button').addEventListener('click', () => run(card));
}
