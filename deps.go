//go:build tools

package main

import (
	_ "github.com/bmatcuk/doublestar/v4"
	_ "github.com/cenkalti/backoff/v4"
	_ "github.com/fsnotify/fsnotify"
	_ "github.com/gofrs/flock"
	_ "github.com/mark3labs/mcp-go/server"
	_ "github.com/qdrant/go-client/qdrant"
	_ "github.com/rs/zerolog"
	_ "github.com/sabhiram/go-gitignore"
	_ "go.uber.org/goleak"
	_ "gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"
)
