package config

func platformStateDir(getenv func(string) string) string { return macStateDir(getenv) }
