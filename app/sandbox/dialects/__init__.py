"""The seed vendors' dialects, each mounted at `/dialects/<name>/…` over the contract's data.

`gateway.DialectGateway` routes; `translator.Translator` is what each dialect module implements;
`credentials.ensure_dialect_credentials` mints each workspace's credentials in every dialect's own
shapes and lists them in `credentials.json` under `dialects`.
"""
