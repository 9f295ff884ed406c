package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

const crashChildEnv = "HANDOVER_CRASH_CHILD"

// crashChild appends from 16 concurrent writers until it is killed, printing
// "ack <index> <person id>" for every acknowledged event.
func crashChild(dir string) {
	ctx := context.Background()
	d, err := openWriter(ctx, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	party := custody.Party{ID: uuid.New(), Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority}
	fac := custody.Facility{ID: uuid.New(), Code: "HSK", Name: "Hasakah", Kind: custody.Prison, Country: "SYR", Series: "HSK",
		Capacities: map[custody.Category]int{custody.Detainee: 1000}, ControllingParty: party.ID}
	meta := custody.Meta{Actor: "crash-test", OccurredAt: time.Now()}
	for _, c := range []custody.Command{custody.RegisterParty{Meta: meta, Party: party}, custody.RegisterFacility{Meta: meta, Facility: fac}} {
		if _, err := d.db.Submit(ctx, c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var n int64
	var nmu sync.Mutex
	for range 16 {
		go func() {
			for {
				nmu.Lock()
				i := n
				n++
				nmu.Unlock()
				p := benchPerson(int(i))
				r, err := d.db.Submit(ctx, custody.RegisterPerson{Meta: meta, Person: p, Facility: fac.ID})
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(3)
				}
				mu.Lock()
				fmt.Fprintf(out, "ack %d %s\n", r.Events[0].Index, p.ID)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	select {}
}

// TestCrash kills a process with SIGKILL while concurrent writers append, then
// checks that every acknowledged event survived, that verify passes, and that
// rebuilding the projections gives the ones stored.
func TestCrash(t *testing.T) {
	for round := range 3 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			dir := t.TempDir() + "/data"
			if code, _, stderr := runCLI(t, "init", "--data", dir); code != 0 {
				t.Fatal(stderr)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			acked := map[uint64]uuid.UUID{}
			sc := bufio.NewScanner(stdout)
			for sc.Scan() && len(acked) < 1500+round*700 {
				f := strings.Fields(sc.Text())
				idx, _ := strconv.ParseUint(f[1], 10, 64)
				acked[idx] = uuid.MustParse(f[2])
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			for sc.Scan() { // acknowledgements printed before the kill landed
				f := strings.Fields(sc.Text())
				if len(f) == 3 {
					idx, _ := strconv.ParseUint(f[1], 10, 64)
					acked[idx] = uuid.MustParse(f[2])
				}
			}
			cmd.Wait()
			if len(acked) < 1000 {
				t.Fatalf("only %d acknowledgements before the kill; child stderr:\n%s", len(acked), stderr.String())
			}

			ctx := context.Background()
			d, err := openDataDir(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			for idx, id := range acked {
				p, err := d.db.Person(ctx, id)
				if err != nil {
					t.Fatalf("acknowledged event %d (person %s) lost: %v", idx, id, err)
				}
				if p.Custody.Event != idx {
					t.Errorf("person %s registered at %d, acknowledged as %d", id, p.Custody.Event, idx)
				}
			}
			before, err := d.db.Persons(ctx, custody.PersonFilter{Limit: custody.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			fBefore, _ := d.db.Facilities(ctx)
			d.Close()

			if code, stdout, stderr := runCLI(t, "verify", "--data", dir); code != 0 {
				t.Fatalf("verify after the crash: exit %d\n%s%s", code, stdout, stderr)
			}
			if code, _, stderr := runCLI(t, "rebuild", "--data", dir); code != 0 {
				t.Fatalf("rebuild: %s", stderr)
			}
			d, err = openDataDir(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			after, _ := d.db.Persons(ctx, custody.PersonFilter{Limit: custody.MaxPageSize})
			fAfter, _ := d.db.Facilities(ctx)
			if !reflect.DeepEqual(before, after) || !reflect.DeepEqual(fBefore, fAfter) {
				t.Errorf("rebuilt projections differ from those stored at the crash")
			}
		})
	}
}
