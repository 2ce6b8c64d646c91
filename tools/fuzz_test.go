package tools

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/schema"
)

// argDecoder decodes one tool's arguments as its handler does.
type argDecoder struct {
	tool   string
	spec   *argsSpec
	decode func(raw any) (any, error)
}

func decoderFor[In any](tool string) argDecoder {
	spec := newArgsSpec[In](tool, schema.Reflect[In]())
	return argDecoder{tool, spec, func(raw any) (any, error) { return decode[In](spec, raw) }}
}

// write is the call that gives in: every argument that is set, and every
// one at its zero value that has a default (the zero must be said, or
// the default comes back).
func (d argDecoder) write(in any) ([]byte, error) {
	v := reflect.ValueOf(in)
	args := map[string]any{}
	for _, p := range d.spec.props {
		f := v.FieldByIndex(p.index)
		if !f.IsZero() || p.def != nil {
			args[p.name] = f.Interface()
		}
	}
	return json.Marshal(args)
}

// argDecoders are the ten tools' decoders, in the order of All.
func argDecoders() []argDecoder {
	return []argDecoder{
		decoderFor[schema.ServiceListArgs]("service_list"),
		decoderFor[schema.ServiceGetArgs]("service_get"),
		decoderFor[schema.ServiceCreateArgs]("service_create"),
		decoderFor[schema.ServiceStartArgs]("service_start"),
		decoderFor[schema.ServiceStopArgs]("service_stop"),
		decoderFor[schema.ServiceRestartArgs]("service_restart"),
		decoderFor[schema.ServiceLogsArgs]("service_logs"),
		decoderFor[schema.ServiceDeleteArgs]("service_delete"),
		decoderFor[schema.ServiceSignalArgs]("service_signal"),
		decoderFor[schema.ListSpritesArgs]("list_sprites"),
	}
}

// TestArgDecodersCoverAllTools keeps the fuzz target's list in step with
// the tools.
func TestArgDecodersCoverAllTools(t *testing.T) {
	tools := All(Deps{Services: nil, DefaultSprite: "dev", Logger: quiet()})
	decs := argDecoders()
	if len(tools) != len(decs) {
		t.Fatalf("%d tools, %d argument decoders in fuzz_test.go", len(tools), len(decs))
	}
	for i, tl := range tools {
		if tl.Tool.Name != decs[i].tool {
			t.Errorf("tool %d is %s; the fuzz target decodes %s there", i, tl.Tool.Name, decs[i].tool)
		}
	}
}

// FuzzToolArguments feeds arbitrary argument objects to every tool's
// adapter decode (unknown keys, required ones, defaults, each type's
// lenient reading and Validate). Invariants: no panic; a refusal is an
// argError whose problems are valid UTF-8, bounded by the input, and
// whose rendered message starts "invalid arguments for <tool>" and lists
// the accepted arguments; an accepted call has every argument valid and
// its JSON reads back as the same arguments.
//
//	go test -run '^$' -fuzz FuzzToolArguments -fuzztime 30s ./tools
func FuzzToolArguments(f *testing.F) {
	decs := argDecoders()
	d := newDeps(Deps{DefaultSprite: "dev", Logger: quiet()})
	f.Fuzz(func(t *testing.T, which int, raw string) {
		dec := decs[(which%len(decs)+len(decs))%len(decs)]
		in, err := dec.decode(json.RawMessage(raw))
		if err != nil {
			var ae *argError
			if !errors.As(err, &ae) || len(ae.problems) == 0 {
				t.Fatalf("%s(%q): error %v is not an argError with problems", dec.tool, raw, err)
			}
			for _, p := range ae.problems {
				if !utf8.ValidString(p) || strings.TrimSpace(p) == "" || len(p) > 10*len(raw)+600 {
					t.Fatalf("%s(%q): problem %q", dec.tool, raw, p)
				}
			}
			res, perr := d.failure(t.Context(), &argsSpec{tool: dec.tool}, err)
			if perr != nil || res == nil || !res.IsError || !strings.HasPrefix(text(res), "invalid arguments for "+dec.tool+":") {
				t.Fatalf("%s(%q): failure gave %v, %v", dec.tool, raw, res, perr)
			}
			return
		}
		// Every argument an accepted call has is valid (one left out,
		// without a default, is the zero value and is not checked: an
		// absent sprite is the default sprite).
		v := reflect.ValueOf(in)
		for _, f := range reflect.VisibleFields(v.Type()) {
			if f.Anonymous || v.FieldByIndex(f.Index).IsZero() {
				continue
			}
			if val, ok := v.FieldByIndex(f.Index).Interface().(schema.Validator); ok {
				if err := val.Validate(f.Name); err != nil {
					t.Fatalf("%s(%q): accepted with %s invalid: %v", dec.tool, raw, f.Name, err)
				}
			}
		}
		// What was accepted, written out, is accepted again as the same.
		out, err := dec.write(in)
		if err != nil {
			t.Fatalf("%s(%q): accepted %#v does not encode: %v", dec.tool, raw, in, err)
		}
		again, err := dec.decode(json.RawMessage(out))
		if err != nil {
			t.Fatalf("%s(%q): accepted as %s, which is then refused: %v", dec.tool, raw, out, err)
		}
		if !reflect.DeepEqual(in, again) {
			t.Fatalf("%s(%q): accepted as %#v, written %s, read back as %#v", dec.tool, raw, in, out, again)
		}
	})
}
