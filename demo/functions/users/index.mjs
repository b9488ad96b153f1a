// The demo's /users function. withCors puts the CORS headers on every response, errors included:
// without it the browser blocks the response even when the preflight passed.
import { withCors } from 'preflight/lambda';

const users = [
  { id: 1, name: 'Ada Lovelace' },
  { id: 2, name: 'Grace Hopper' },
];

async function handler(event) {
  if (event.httpMethod === 'GET') {
    return { statusCode: 200, body: JSON.stringify(users) };
  }
  if (event.httpMethod === 'POST') {
    let input;
    try {
      input = JSON.parse(event.body ?? '');
    } catch {
      return { statusCode: 400, body: JSON.stringify({ message: 'Send a JSON body such as {"name": "Alan Turing"}' }) };
    }
    if (input.name === 'crash') throw new Error('The handler crashed on purpose (name was "crash")');
    const user = { id: users.length + 1, name: String(input.name ?? 'anonymous') };
    users.push(user);
    const client = event.headers?.['X-Demo-Client'] ?? event.headers?.['x-demo-client'] ?? 'unknown';
    return { statusCode: 201, body: JSON.stringify({ ...user, createdBy: client }) };
  }
  return { statusCode: 405, body: JSON.stringify({ message: `Method ${event.httpMethod} is not supported` }) };
}

export const main = withCors(handler, { origins: ['http://localhost:3000'] });
