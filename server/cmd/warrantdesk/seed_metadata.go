package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
)

// metadataSeed is what `warrantdesk seed --accounts N --days D` asks for:
// fictional retained metadata for N accounts with D days of history.
type metadataSeed struct {
	Accounts     int
	Days         int
	EventsPerDay float64
	First        int
	Seed         uint64
}

// seedFlags are the metadata flags of `seed`, with their help.
var seedFlags = []struct{ name, usage string }{
	{"accounts", "write N fictional accounts (+1 555 01xx numbers) with their metadata"},
	{"days", "days of history up to now (default 90)"},
	{"events-per-day", "average connection events per account and day (default 8)"},
	{"first", "number of the first account (default 0; the demo target +1 555 0100 123 is 123)"},
	{"seed", "random seed: the same seed writes the same data (default 1)"},
}

// splitSeedFlags takes the metadata flags out of args and returns the rest
// for the configuration flags. Flags are -name value, --name value or
// --name=value.
func splitSeedFlags(args []string) (metadataSeed, []string, error) {
	ms := metadataSeed{Days: 90, Seed: 1}
	var rest []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		known := strings.HasPrefix(args[i], "-")
		if known {
			known = false
			for _, f := range seedFlags {
				known = known || f.name == name
			}
		}
		if !known {
			rest = append(rest, args[i])
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return ms, nil, fmt.Errorf("flag needs an argument: -%s", name)
			}
			i++
			value = args[i]
		}
		var err error
		switch name {
		case "accounts":
			ms.Accounts, err = strconv.Atoi(value)
			if err == nil && (ms.Accounts < 1 || ms.Accounts > demo.MaxAccounts) {
				err = fmt.Errorf("use 1 to %d", demo.MaxAccounts)
			}
		case "days":
			ms.Days, err = strconv.Atoi(value)
			if err == nil && (ms.Days < 1 || ms.Days > 3650) {
				err = fmt.Errorf("use 1 to 3650")
			}
		case "events-per-day":
			ms.EventsPerDay, err = strconv.ParseFloat(value, 64)
			if err == nil && (ms.EventsPerDay <= 0 || ms.EventsPerDay > 1e6) {
				err = fmt.Errorf("use a positive number up to 1000000")
			}
		case "first":
			ms.First, err = strconv.Atoi(value)
		case "seed":
			ms.Seed, err = strconv.ParseUint(value, 10, 64)
		}
		if err != nil {
			return ms, nil, fmt.Errorf("-%s %q: %v", name, value, err)
		}
	}
	return ms, rest, nil
}

// seedMetadata writes the fictional metadata, with a progress bar when
// out is a terminal and a summary line either way.
func seedMetadata(ctx context.Context, d *db.DB, ms metadataSeed, out io.Writer) error {
	start := time.Now()
	bar := newProgressBar(out)
	st, err := demo.GenerateMetadata(ctx, d, demo.MetadataOptions{
		Accounts: ms.Accounts, FirstIndex: ms.First, Days: ms.Days, EventsPerDay: ms.EventsPerDay, Seed: ms.Seed,
		Progress: bar.update,
	})
	bar.finish()
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(out, "seeded %d accounts, %d connection events, %d devices, %d contacts, %d group memberships in %s (%.0f events/s)\n",
		st.Accounts, st.ConnectionEvents, st.Devices, st.Contacts, st.Groups, elapsed.Round(time.Millisecond),
		float64(st.ConnectionEvents)/elapsed.Seconds())
	return nil
}

// progressBar draws "[=====>    ]  45%  450000/1000000 events" on a
// terminal, redrawn in place; elsewhere it stays silent.
type progressBar struct {
	w     io.Writer
	tty   bool
	start time.Time
	drawn bool
	unit  string // what is counted; "connection events" when ""
}

func newProgressBar(w io.Writer) *progressBar {
	p := &progressBar{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

const barWidth = 30

func (p *progressBar) update(done, total int64) {
	if !p.tty || total <= 0 {
		return
	}
	frac := min(float64(done)/float64(total), 1)
	filled := int(frac * barWidth)
	bar := strings.Repeat("=", filled)
	if filled < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-filled-1)
	}
	unit := p.unit
	if unit == "" {
		unit = "connection events"
	}
	fmt.Fprintf(p.w, "\r[%s] %3.0f%%  %d/%d %s  %s ", bar, frac*100, done, total, unit,
		time.Since(p.start).Round(100*time.Millisecond))
	p.drawn = true
}

func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
