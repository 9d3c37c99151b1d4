package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// jsonProblem says what is wrong with config.json in JSON's terms:
// encoding/json's type errors name Go types ("cannot unmarshal array into
// Go value of type model.Config"), which mean nothing to the user.
func jsonProblem(err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	want := "a value of another type"
	if te.Type != nil {
		switch te.Type.Kind() {
		case reflect.Struct, reflect.Map:
			want = "an object"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			want = "a whole number"
		case reflect.Float32, reflect.Float64:
			want = "a number"
		case reflect.String:
			want = "a string"
		case reflect.Bool:
			want = "true or false"
		case reflect.Slice, reflect.Array:
			want = "an array"
		}
	}
	where := "the document"
	if te.Field != "" {
		where = fmt.Sprintf("%q", te.Field)
	}
	return fmt.Errorf("%s is %s, want %s", where, article(te.Value), want)
}

func article(v string) string {
	switch v {
	case "array", "object":
		return "an " + v
	case "":
		return "a value"
	}
	return "a " + v
}
