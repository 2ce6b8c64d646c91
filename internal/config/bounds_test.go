package config_test

import (
	"testing"

	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/resources"
	"github.com/sprites-mcp/sprites-mcp/schema"
	"github.com/sprites-mcp/sprites-mcp/tools"
)

// TestPackagesKeepTheSharedBounds holds the copies of the shared bounds
// that tools, resources and schema still declare to the values here, until
// they use these constants instead (then this test goes).
func TestPackagesKeepTheSharedBounds(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"tools.DefaultMaxResultChars", tools.DefaultMaxResultChars, config.DefaultMaxResultChars},
		{"schema.DefaultLogLines", schema.DefaultLogLines, config.DefaultLogLines},
		{"schema.MaxLogLines", schema.MaxLogLines, config.MaxLogLines},
		{"resources.DefaultLines", resources.DefaultLines, config.DefaultLogLines},
		{"resources.MaxLines", resources.MaxLines, config.MaxLogLines},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, but the configuration's bound is %d", c.name, c.got, c.want)
		}
	}
}
