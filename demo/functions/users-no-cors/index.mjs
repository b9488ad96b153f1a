// The same answer without CORS headers: the preflight passes (API Gateway's OPTIONS mock answers it),
// but the browser blocks the actual response because it has no Access-Control-Allow-Origin.
export async function main(event) {
  return { statusCode: 200, body: JSON.stringify([{ id: 1, name: 'Ada Lovelace' }]) };
}
