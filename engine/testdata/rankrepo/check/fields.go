package check

// Field checks run each rule: validate the name, validate the length,
// validate the pattern, and validate again when the value changed.
func (v *Validate) Field(name, value string) error {
	if err := validateName(name); err != nil { // validate first
		return err
	}
	for _, r := range v.rules {
		if err := r.validate(value); err != nil { // validate each
			return err
		}
	}
	return validateLength(value) // validate last
}
