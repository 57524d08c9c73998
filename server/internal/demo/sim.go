package demo

import (
	"container/heap"
	"context"
	"errors"
	"time"
)

// sim runs the lives of many requests as straight-line scripts, one step at
// a time in the order of their moments: a script waits for its next moment
// (proc.wait), the scheduler wakes whichever script is due first, sets the
// clock and waits until that script waits again or ends. Only one script
// ever runs, so the run is deterministic and the services see one writer.
type sim struct {
	queue waiters
	seq   int
	yield chan struct{} // a running script hands control back
}

type waiter struct {
	at   time.Time
	seq  int
	wake chan bool // true: run on; false: stop
}

type waiters []*waiter

func (w waiters) Len() int { return len(w) }
func (w waiters) Less(i, j int) bool {
	if !w[i].at.Equal(w[j].at) {
		return w[i].at.Before(w[j].at)
	}
	return w[i].seq < w[j].seq
}
func (w waiters) Swap(i, j int) { w[i], w[j] = w[j], w[i] }
func (w *waiters) Push(x any)   { *w = append(*w, x.(*waiter)) }
func (w *waiters) Pop() any {
	old := *w
	x := old[len(old)-1]
	*w = old[:len(old)-1]
	return x
}

// errStopped ends a script whose run was cancelled.
var errStopped = errors.New("history: stopped")

// A proc is one running script.
type proc struct {
	s   *sim
	now time.Time
	end time.Time // a script never waits past it
}

// errPastEnd ends a script whose next step would come after the end.
var errPastEnd = errors.New("history: past the end")

// wait blocks until the scheduler reaches t (never earlier than the
// script's present).
func (p *proc) wait(t time.Time) error {
	if t.Before(p.now) {
		t = p.now
	}
	if t.After(p.end) {
		return errPastEnd
	}
	w := &waiter{at: t, seq: p.s.next(), wake: make(chan bool)}
	heap.Push(&p.s.queue, w)
	p.s.yield <- struct{}{}
	if !<-w.wake {
		return errStopped
	}
	p.now = t
	return nil
}

// after waits for d.
func (p *proc) after(d time.Duration) error { return p.wait(p.now.Add(d)) }

func (s *sim) next() int {
	s.seq++
	return s.seq
}

// spawn schedules script fn to start at t; done receives its result. It
// may be called before run or by a running script. A script due after end
// never starts.
func (s *sim) spawn(t, end time.Time, fn func(p *proc) error, done func(error)) {
	if t.After(end) {
		return
	}
	w := &waiter{at: t, seq: s.next(), wake: make(chan bool)}
	heap.Push(&s.queue, w)
	go func() {
		var err error
		if <-w.wake {
			p := &proc{s: s, now: t, end: end}
			err = fn(p)
			if errors.Is(err, errPastEnd) {
				err = nil
			}
		} else {
			err = errStopped
		}
		if !errors.Is(err, errStopped) {
			done(err)
		}
		s.yield <- struct{}{}
	}()
}

// run wakes the scripts in order until none is left, setting clock to each
// one's moment. When ctx ends, every script still waiting is stopped.
func (s *sim) run(ctx context.Context, clock *Clock) error {
	for s.queue.Len() > 0 {
		if err := ctx.Err(); err != nil {
			for s.queue.Len() > 0 {
				w := heap.Pop(&s.queue).(*waiter)
				w.wake <- false
				<-s.yield
			}
			return err
		}
		w := heap.Pop(&s.queue).(*waiter)
		clock.Set(w.at)
		w.wake <- true
		<-s.yield
	}
	return nil
}
