package check

import "errors"

// Rule is one check; validate runs it.
type Rule struct{ validate func(string) error }

// validateName and validateLength validate what every value must hold:
// validate a name that is not empty, validate a length under 64.
func validateName(s string) error {
	if s == "" {
		return errors.New("validate: empty name")
	}
	return nil
}

func validateLength(s string) error {
	if len(s) > 64 {
		return errors.New("validate: too long")
	}
	return nil
}
