package main

import (
	"context"
	"errors"
	"flag"
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

// flags registers the metadata flags of `seed` on its flag set.
func (ms *metadataSeed) flags(fs *flag.FlagSet) {
	fs.Func("accounts", "write N fictional accounts (+1 555 01xx numbers) with their metadata", intIn(&ms.Accounts, 1, demo.MaxAccounts))
	fs.Func("days", "days of history up to now (default 90)", intIn(&ms.Days, 1, 3650))
	fs.Func("events-per-day", "average connection events per account and day (default 8)", func(v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1e6 {
			return errors.New("use a positive number up to 1000000")
		}
		ms.EventsPerDay = f
		return nil
	})
	fs.Func("first", "number of the first account (default 0; the demo target +1 555 0100 123 is 123)", intIn(&ms.First, 0, demo.MaxAccounts))
	fs.Func("seed", "random seed: the same seed writes the same data (default 1)", func(v string) error {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return errors.New("use a whole number")
		}
		ms.Seed = n
		return nil
	})
}

// intIn parses a flag's whole number into p, refusing one outside lo..hi.
func intIn(p *int, lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("use %d to %d", lo, hi)
		}
		*p = n
		return nil
	}
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
