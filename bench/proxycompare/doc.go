// Package proxycompare benchmarks github.com/awslabs/aws-lambda-go-api-proxy
// on the sample events that shared/awslambda's conversion benchmarks use,
// with the same stand-in core, so that `make bench` can put the two side by
// side. It is its own module so that the product's go.mod never names the
// proxy: the product does not use it.
package proxycompare
