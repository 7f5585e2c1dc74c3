package activities

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ucmpush/ucmpush/domain"
)

// page returns a page of n entries whose keys start at first.
func page(first, n int) []domain.DirectoryEntry {
	entries := make([]domain.DirectoryEntry, n)
	for i := range entries {
		entries[i].Key = fmt.Sprint(first + i)
	}
	return entries
}

func TestPageWriterWritesEveryPageInOrder(t *testing.T) {
	var written []string
	w := startPageWriter(func(p []domain.DirectoryEntry) error {
		for _, e := range p {
			written = append(written, e.Key)
		}
		return nil
	})

	var want []string
	for i := range 10 {
		p := page(i*3, 3)
		for _, e := range p {
			want = append(want, e.Key)
		}
		if err := w.enqueue(p); err != nil {
			t.Fatalf("enqueue page %d: %v", i, err)
		}
	}
	if err := w.finish(); err != nil {
		t.Fatalf("finish: %v", err)
	}
	// finish returns after the last write, so written is complete and safe to read.
	if !slices.Equal(written, want) {
		t.Errorf("written keys = %v, want %v", written, want)
	}
}

func TestPageWriterStopsAtFailedWrite(t *testing.T) {
	failure := errors.New("database gone")
	writes := 0
	w := startPageWriter(func([]domain.DirectoryEntry) error {
		writes++
		if writes == 2 {
			return failure
		}
		return nil
	})

	for i := range 2 {
		if err := w.enqueue(page(i, 1)); err != nil {
			t.Fatalf("enqueue page %d before the failure: %v", i, err)
		}
	}
	<-w.failed
	if err := w.enqueue(page(2, 1)); !errors.Is(err, failure) {
		t.Errorf("enqueue after the failed write = %v, want %v", err, failure)
	}
	if err := w.finish(); !errors.Is(err, failure) {
		t.Errorf("finish = %v, want %v", err, failure)
	}
	if writes != 2 {
		t.Errorf("writes = %d, want 2: no page may be written after the failed one", writes)
	}
}

func TestPageWriterFinishesWithoutPages(t *testing.T) {
	w := startPageWriter(func([]domain.DirectoryEntry) error {
		t.Error("write called without a page")
		return nil
	})
	if err := w.finish(); err != nil {
		t.Errorf("finish = %v, want nil", err)
	}
}
