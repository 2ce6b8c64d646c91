package present

// The resource URIs of docs/ARCHITECTURE.md ("Resources"), built in one place: tools link
// to the resources that resources serve, so both must spell them alike.

// ListURI is the services list resource of a sprite.
func ListURI(sprite string) string { return "sprites://" + sprite + "/services" }

// ServiceURI is the resource of one service.
func ServiceURI(sprite, service string) string { return ListURI(sprite) + "/" + service }

// LogsURI is the log tail resource of one service.
func LogsURI(sprite, service string) string { return ServiceURI(sprite, service) + "/logs" }
