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
