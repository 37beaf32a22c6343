// Package config reads every setting of the function once, at start, from an
// injected getenv, and reports every problem at once, one line each.
//
// Nothing below config reads the environment (the Azure SDK's managed
// identity and Go's proxy settings are the documented exceptions: they are the
// platform's own variables). The settings are documented in the README and in
// the product contract; names here are the contract.
package config
