package chunk

import "testing"

func TestDetect(t *testing.T) {
	for _, tc := range []struct{ path, text, want string }{
		{"libexec/rbenv-exec", "#!/usr/bin/env bash\nset -e\n", "shell"},
		{"bin/tool", "#!/bin/sh\n", "shell"},
		{"bin/tool", "#! /bin/bash -e\n", "shell"},
		{"bin/manage", "#!/usr/bin/python3.11\nimport sys\n", "python"},
		{"bin/manage", "#!/usr/bin/env -S python3 -u\n", "python"},
		{"bin/serve", "#!/usr/bin/env NODE_ENV=production node\n", "javascript"},
		{"script/lint", "#!/usr/bin/env ruby\n", "ruby"},
		{"tools/gen", "#!/usr/bin/lua5.4\n", "lua"},
		{"tools/plot", "#!/usr/bin/env Rscript\n", "r"},
		{"run", "#!/usr/bin/env escript\n", "erlang"},
		{"a.sh", "#!/usr/bin/env python3\n", "shell"},                 // the name wins
		{"notes", "just some text\n#!/bin/sh\n", ""},                  // only the first line
		{"bin/x", "#!/usr/bin/env tclsh\n", ""},                       // a language we do not cut
		{"bin/x", "#!/usr/bin/env\n", ""},                             // no interpreter named
		{"bin/x", "#!", ""},                                           // nothing at all
		{"bin/x", "#!/bin/" + string(make([]byte, 300)) + "sh\n", ""}, // no #! line is that long
		{"README", "Read me.\n", ""},
		{"include/CDVPlugin.h", "#import <UIKit/UIKit.h>\n\n@interface CDVPlugin : NSObject\n@end\n", "objective-c"},
		{"include/x.h", "/* @interface in a comment */\n#include <stdio.h>\nint f(void);\n", "c"},
		{"src/glog/logging.h.in", "#ifndef GLOG_LOGGING_H\n", "c"}, // a template configure_file fills in
		{"Makefile.in", "all:\n", "makefile"},
		{"include/toml++/impl/parser.inl", "", "cpp"}, // definitions a header includes
		{"include/boost/asio/impl/post.hpp", "", "cpp"},
		{"bits/stl_vector.tcc", "", "cpp"},
		{"setup.py.in", "", "python"},
		{"notes.in", "", ""},
		{".in", "", ""},
	} {
		if got := Detect(tc.path, tc.text); got != tc.want {
			t.Errorf("Detect(%q, %.40q) = %q, want %q", tc.path, tc.text, got, tc.want)
		}
	}
}
