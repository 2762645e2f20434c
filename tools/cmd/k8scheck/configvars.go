package main

// The environment variables each service reads (README, "Configuration"; the schemas are
// commonConfigShape in adapters/src/config.ts and the `config` of services/<name>/src/main.ts, or
// for marketing services/marketing/src/marketing/adapters/config.py).
// A container of image fooddelivery/<service> may set only these: a misspelt name would be
// ignored by the service and its default used without a word. FAULT_DELAY_BEFORE_ACK_MS is
// left out on purpose: it is fault injection for tests.
var commonVariables = []string{
	"GRPC_PORT", "HTTP_PORT", "BIND_HOST", "NATS_URL", "NATS_NKEY_SEED_FILE", "LOG_LEVEL",
	"GRPC_TLS_CERT_FILE", "GRPC_TLS_KEY_FILE", "GRPC_TLS_CA_FILE", "SHUTDOWN_GRACE_MS",
	"CONSUMER_ACK_WAIT_MS", "CONSUMER_BACKOFF_MS", "JETSTREAM_REPLICAS", "DEPLOY_ENV",
	"AUTH_MODE", "AUTH_JWKS_FILE", "AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_ALGORITHMS",
	"AUTH_MAX_TOKEN_LIFETIME_S", "AUTH_CLOCK_SKEW_S",
}

var serviceVariables = map[string][]string{
	"order": {
		"MONGODB_URL", "MONGODB_DATABASE", "PAYMENT_GRPC_ADDRESS", "PAYMENT_TIMEOUT_MS",
		"BREAKER_ERROR_THRESHOLD_PERCENT", "BREAKER_VOLUME_THRESHOLD", "BREAKER_RESET_TIMEOUT_MS",
		"BREAKER_ROLLING_WINDOW_MS", "PAYMENT_SETTLE_AFTER_MS", "PAYMENT_SETTLE_INTERVAL_MS",
		"SEED_DEMO_CATALOG", "CATALOG_CACHE_MS", "PAYMENT_AUTH_TOKEN_FILE",
	},
	"payment": {
		"DATABASE_URL", "PAYMENT_LATENCY_MIN_MS", "PAYMENT_LATENCY_MAX_MS", "PAYMENT_CAPACITY",
		"PAYMENT_QUEUE_LIMIT", "PAYMENT_DECLINE_CARD_PREFIX", "GRPC_MAX_CONNECTION_AGE_MS",
	},
	"store": {"DATABASE_URL"},
	"notification": {
		"NOTIFIER", "KAKAO_API_URL", "KAKAO_API_TOKEN", "NOTIFICATION_LANGUAGE", "NOTIFY_BACKOFF_MS",
		"NOTIFY_MAX_ATTEMPTS", "NOTIFY_TIMEOUT_MS", "NOTIFY_CONCURRENCY", "KV_REPLICAS",
		"TRACKING_VIEW_MAX_ENTRIES",
	},
	// Python (services/marketing/src/marketing/adapters/config.py); the common variables are the same.
	"marketing": {
		"DATABASE_URL", "COUPON_EVERY_ORDERS", "COUPON_AMOUNT_MINOR", "COUPON_CURRENCY", "COUPON_VALID_DAYS",
	},
}

// Defaults the rules need when a manifest leaves a variable unset.
var defaultPorts = map[string][2]int{ // service: gRPC, REST
	"order": {50051, 8081}, "payment": {50052, 8082}, "store": {50053, 8083}, "notification": {50054, 8084},
	"marketing": {50055, 8085},
}

const defaultShutdownGraceMs = 10_000

func allowedVariables(service string) map[string]bool {
	allowed := map[string]bool{}
	for _, v := range commonVariables {
		allowed[v] = true
	}
	for _, v := range serviceVariables[service] {
		allowed[v] = true
	}
	return allowed
}

// The services, in a stable order.
var serviceNames = []string{"order", "payment", "store", "notification", "marketing"}
