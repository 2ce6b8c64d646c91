// Package schema holds the MCP tools' input and output types and turns them
// into JSON Schemas with one configured invopop reflector.
//
// The types are the contract agents see: argument names, descriptions,
// enums, bounds and defaults all come from the struct tags here. House
// rules, checked by tests:
//   - a field is required exactly when its json tag has no omitempty;
//   - every field of an input type has a jsonschema_description (the
//     jsonschema:"description=…" form stops at the first comma, so it is
//     never used); an output type's field has one only when its name and
//     type cannot say what it means (Reflect and ReflectOutput; output
//     schemas are for clients, and every client downloads them);
//   - objects refuse unknown keys (additionalProperties: false), nothing is
//     a bare true schema, and nothing uses $ref, which some clients cannot
//     follow.
//
// Every argument has a type of this package (ServiceName, Signal,
// WatchDuration, …) that reads its JSON leniently, forgiving the slips
// agents commonly make, and validates itself (Validator). The bounds and
// enums of the input schemas come from those types, so the schema an agent
// sees and the check a call meets cannot drift apart; a test walks the
// input types and requires a refusal test for every constrained field.
//
// Every schema is snapshotted under testdata/ (UPDATE_SNAPSHOTS=1 rewrites
// them), so a change to the surface shows up in review.
package schema
