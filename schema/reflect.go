package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/invopop/jsonschema"
)

// reflector is the one configured invopop reflector. Its settings are the
// house rules: schemas inline (no $ref or $defs, which some clients cannot
// follow), the top-level struct expanded, unknown keys refused, no $id.
func reflector() *jsonschema.Reflector {
	return &jsonschema.Reflector{
		Anonymous:                 true,
		DoNotReference:            true,
		ExpandedStruct:            true,
		AllowAdditionalProperties: false,
		Mapper:                    mapType,
	}
}

// typeSchema is implemented by this package's argument types that carry
// their own constraints (bounds, enums): the schema says what their
// Validate checks, from the same constants.
type typeSchema interface {
	jsonSchema() *jsonschema.Schema
}

var typeSchemaType = reflect.TypeFor[typeSchema]()

// mapType gives the schemas of our own argument types. It returns a fresh
// value each time because the reflector writes the field's tags into it.
func mapType(t reflect.Type) *jsonschema.Schema {
	if t.Implements(typeSchemaType) {
		return reflect.Zero(t).Interface().(typeSchema).jsonSchema()
	}
	return nil
}

// Reflect returns the JSON Schema of an input type T, ready for mcp.Tool's
// RawInputSchema. T must be a struct type of this package. It panics when
// the schema breaks a house rule (see Check): schemas are built once at
// start-up from fixed types, so a failure is a programming error that the
// tests catch.
func Reflect[T any]() json.RawMessage { return reflectChecked[T](Check) }

// ReflectOutput is Reflect for an output type (RawOutputSchema), held to
// CheckOutput: a field may go undescribed when its name says it all.
func ReflectOutput[T any]() json.RawMessage { return reflectChecked[T](CheckOutput) }

func reflectChecked[T any](check func(json.RawMessage) error) json.RawMessage {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("schema.Reflect: %s is not a struct", t))
	}
	s := reflector().ReflectFromType(t)
	s.Version = "" // the 2020-12 dialect is MCP's default; saying so costs tokens
	raw, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("schema.Reflect: marshal schema of %s: %v", t, err))
	}
	if err := check(raw); err != nil {
		panic(fmt.Sprintf("schema.Reflect: schema of %s: %v", t, err))
	}
	return raw
}

// Check verifies the house rules on an input schema: an object at the top,
// no $ref/$defs, no bare boolean schema except additionalProperties:
// false, every object closed, every property described (the model reads
// input schemas). It returns every problem found, one per line.
func Check(raw json.RawMessage) error { return check(raw, true) }

// CheckOutput is Check for an output schema, whose properties need no
// description: clients read output schemas, and the model reads the text.
func CheckOutput(raw json.RawMessage) error { return check(raw, false) }

func check(raw json.RawMessage, described bool) error {
	var root any
	if err := json.Unmarshal(raw, &root); err != nil {
		return fmt.Errorf("schema is not JSON: %w", err)
	}
	m, ok := root.(map[string]any)
	if !ok || m["type"] != "object" {
		return fmt.Errorf("schema must be an object schema with type \"object\"")
	}
	if _, ok := m["anyOf"]; ok {
		return fmt.Errorf("schema has a top-level anyOf, which several clients refuse")
	}
	var problems []string
	checkNode(m, "", described, &problems)
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// checkNode walks one schema object; path names it in messages.
func checkNode(n map[string]any, path string, described bool, problems *[]string) {
	at := path
	if at == "" {
		at = "(root)"
	}
	for _, k := range []string{"$ref", "$defs", "definitions"} {
		if _, ok := n[k]; ok {
			*problems = append(*problems, fmt.Sprintf("%s: uses %s", at, k))
		}
	}
	if props, ok := n["properties"].(map[string]any); ok {
		if n["additionalProperties"] != false {
			*problems = append(*problems, fmt.Sprintf("%s: object does not set additionalProperties: false", at))
		}
		for name, p := range props {
			child, ok := p.(map[string]any)
			if !ok {
				*problems = append(*problems, fmt.Sprintf("%s.%s: bare boolean schema", path, name))
				continue
			}
			if d, _ := child["description"].(string); described && strings.TrimSpace(d) == "" {
				*problems = append(*problems, fmt.Sprintf("%s.%s: no description", path, name))
			}
			checkNode(child, path+"."+name, described, problems)
		}
	}
	if ap, ok := n["additionalProperties"]; ok && ap != false {
		child, ok := ap.(map[string]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: additionalProperties is a bare boolean schema", at))
		} else {
			checkNode(child, path+"{}", described, problems)
		}
	}
	if items, ok := n["items"]; ok {
		child, ok := items.(map[string]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: items is a bare boolean schema", at))
		} else {
			checkNode(child, path+"[]", described, problems)
		}
	}
	for _, k := range []string{"anyOf", "oneOf", "allOf"} {
		if list, ok := n[k].([]any); ok {
			for i, c := range list {
				child, ok := c.(map[string]any)
				if !ok {
					*problems = append(*problems, fmt.Sprintf("%s.%s[%d]: bare boolean schema", at, k, i))
					continue
				}
				checkNode(child, fmt.Sprintf("%s.%s[%d]", path, k, i), described, problems)
			}
		}
	}
}
