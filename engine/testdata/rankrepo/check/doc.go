// Package check is how values are validated: validate a struct, validate
// a field, validate a map, validate a slice. To validate, build rules;
// validate runs them, validate stops at the first error, validate
// reports it. Validate again after a change: validate is cheap.
package check
