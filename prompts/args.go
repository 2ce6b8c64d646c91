package prompts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
)

// args reads a prompt's arguments, refusing the ones it does not declare,
// so a misspelt argument is an error rather than silently ignored.
func args(req mcp.GetPromptRequest, p mcp.Prompt) (map[string]string, error) {
	known := make([]string, 0, len(p.Arguments))
	for _, a := range p.Arguments {
		known = append(known, a.Name)
	}
	out := map[string]string{}
	for k, v := range req.Params.Arguments {
		if !slices.Contains(known, k) {
			return nil, fmt.Errorf("%s: unknown argument %q; its arguments are %s", p.Name, k, strings.Join(known, ", "))
		}
		out[k] = strings.TrimSpace(v)
	}
	for _, a := range p.Arguments {
		if a.Required && out[a.Name] == "" {
			return nil, fmt.Errorf("%s: argument %s is required", p.Name, a.Name)
		}
	}
	return out, nil
}

// sprite is the sprite argument, or the default sprite, once the caller
// may use it.
func (p *Prompts) sprite(ctx context.Context, prompt string, a map[string]string) (string, error) {
	s := a["sprite"]
	if s == "" {
		s = p.defaultSprite
	}
	if s == "" {
		return "", fmt.Errorf("%s: argument sprite is required (this server has no default sprite); list_sprites names them", prompt)
	}
	if err := client.ValidateName("sprite", s); err != nil {
		return "", fmt.Errorf("%s: %w", prompt, err)
	}
	if p.authorize != nil {
		if err := p.authorize(ctx, s); err != nil {
			return "", fmt.Errorf("%s: %w", prompt, err)
		}
	}
	return s, nil
}

// checkName holds a service name to the one name rule (internal/wire).
func checkName(prompt, arg, name string) error {
	if err := client.ValidateName("service", name); err != nil {
		return fmt.Errorf("%s: %s: %w", prompt, arg, err)
	}
	return nil
}

// list lists sprite's services; a sprite that does not exist is an error
// naming the ones that do.
func (p *Prompts) list(ctx context.Context, sprite string) ([]client.Service, error) {
	svcs, err := p.svc.List(ctx, sprite)
	if err == nil {
		return svcs, nil
	}
	if client.IsNotFound(err) && !client.IsRouteNotFound(err) {
		return nil, p.missingSprite(ctx, sprite)
	}
	return nil, fmt.Errorf("list the services of %s: %w", sprite, err)
}

// get reads one service; a missing one is an error that suggests the
// closest name and lists what exists, as the tools and resources say it.
func (p *Prompts) get(ctx context.Context, sprite, name string) (*client.Service, error) {
	s, err := p.svc.Get(ctx, sprite, name)
	if err == nil {
		return s, nil
	}
	if !client.IsNotFound(err) || client.IsRouteNotFound(err) {
		return nil, fmt.Errorf("read %s on %s: %w", name, sprite, err)
	}
	svcs, lerr := p.list(ctx, sprite)
	if lerr != nil {
		return nil, lerr
	}
	return nil, errors.New(present.MissingService(sprite, name, names(svcs)))
}

// missingSprite says that sprite does not exist and which ones do.
func (p *Prompts) missingSprite(ctx context.Context, sprite string) error {
	if !p.canListSprites {
		if p.defaultSprite != "" && sprite != p.defaultSprite {
			return fmt.Errorf("no sprite %q here; this server serves sprite %q", sprite, p.defaultSprite)
		}
		return fmt.Errorf("no sprite %q here", sprite)
	}
	page, err := p.svc.ListSprites(ctx, client.ListSpritesOptions{MaxResults: 50})
	if err != nil {
		return fmt.Errorf("no sprite %q (listing sprites failed too: %w)", sprite, err)
	}
	all := make([]string, 0, len(page.Sprites))
	for _, s := range page.Sprites {
		all = append(all, s.Name)
	}
	return errors.New(present.MissingSprite(sprite, all, page.HasMore))
}

func names(svcs []client.Service) []string {
	out := make([]string, 0, len(svcs))
	for _, s := range svcs {
		out = append(out, s.Name)
	}
	return out
}

// quote renders a tool call's arguments as the JSON an agent sends.
func quote(v string) string { return fmt.Sprintf("%q", v) }
