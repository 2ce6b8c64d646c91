//go:build darwin

package supervisor

// The macOS side of escape.go's search reads the whole process table:
// macOS lists no process's children, and one sysctl returns the table.

// ownTable is the process table, for run p's escapees and reapAdopted.
func (p *proc) ownTable() []procEntry { return processTable() }

// scanTables gives the periodic scan one table read for all its runs.
func scanTables() func(*proc) []procEntry {
	t := processTable()
	return func(*proc) []procEntry { return t }
}

// groupTable is the process table, where groupAlive looks for the members
// of run p's group (endEscapees then starts from the same read).
func (p *proc) groupTable() []procEntry { return processTable() }

// liveTable is the process table, for a run whose leader is unreaped.
func (p *proc) liveTable() []procEntry { return processTable() }

// onMainThread is false on macOS, where no thread's children are listed:
// where the fork thread lives costs nothing (serveForks).
func onMainThread() bool { return false }

// scanGate lets every periodic scan run on macOS: it has no cheap sign
// that a process was created.
type scanGate struct{}

func openScanGate() *scanGate                    { return &scanGate{} }
func (*scanGate) close()                         {}
func (*scanGate) changed() (created, ended bool) { return true, true }

// orphanToReap is true on macOS, where the scan itself finds out.
func orphanToReap() bool { return true }
