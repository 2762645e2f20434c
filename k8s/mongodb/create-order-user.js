// Runs once, when the mongo image initialises an empty data directory
// (/docker-entrypoint-initdb.d, as the root user): the order service's own user, allowed to read
// and write the `order` database only. Its password is ORDER_DB_PASSWORD from the container's
// environment (the mongodb-credentials Secret in Kubernetes, docker-compose.yml otherwise).
const password = process.env.ORDER_DB_PASSWORD;
if (!password) throw new Error('ORDER_DB_PASSWORD is not set');
db.getSiblingDB('order').createUser({
  user: 'order',
  pwd: password,
  roles: [{ role: 'readWrite', db: 'order' }],
});
