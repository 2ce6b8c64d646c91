package evals

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"testing"
)

// binPath is the sprites-mcp binary, built once from the module root for
// every scenario: the evals test the program as a client starts it.
var binPath string

// python is the real interpreter behind python3 (a version-manager shim
// costs a second interpreter start per service on a loaded machine).
var python string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "evbin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "evals: temp dir:", err)
		os.Exit(1)
	}
	code := 1
	if err := setup(dir); err != nil {
		fmt.Fprintln(os.Stderr, "evals:", err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// setup builds the binary into dir and finds python3.
func setup(dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if bin := os.Getenv("EVALS_BIN"); bin != "" {
		// Evaluate a binary built elsewhere (a release, a patched tree).
		binPath = bin
	} else if err := build(ctx, dir); err != nil {
		return err
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		return fmt.Errorf("the scenarios need python3 on PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, py, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return fmt.Errorf("run %s: %w", py, err)
	}
	python = strings.TrimSpace(string(out))
	return nil
}

// build compiles the module root into dir, with -race when the tests run
// with it: the server is then checked for data races too, and the build
// shares its cache with the test builds of make test.
func build(ctx context.Context, dir string) error {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return fmt.Errorf("find the module root with go list -m: %w", err)
	}
	root := strings.TrimSpace(string(out))
	binPath = filepath.Join(dir, "sprites-mcp")
	args := []string{"build", "-o", binPath}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build sprites-mcp in %s: %w\n%s", root, err, out)
	}
	return nil
}
