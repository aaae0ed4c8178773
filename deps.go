//go:build tools

package main

import (
	_ "github.com/mark3labs/mcp-go/server"
	_ "github.com/qdrant/go-client/qdrant"
	_ "github.com/fsnotify/fsnotify"
	_ "github.com/rs/zerolog"
	_ "github.com/cenkalti/backoff/v4"
	_ "modernc.org/sqlite"
	_ "go.uber.org/goleak"
	_ "github.com/sabhiram/go-gitignore"
	_ "github.com/bmatcuk/doublestar/v4"
	_ "gopkg.in/yaml.v3"
	_ "github.com/gofrs/flock"
)
