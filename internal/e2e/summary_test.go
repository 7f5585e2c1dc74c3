package e2e

import (
	"strings"
	"testing"

	"go.temporal.io/sdk/converter"

	"github.com/ucmpush/ucmpush/internal/codec"
	"github.com/ucmpush/ucmpush/workflows"
)

func TestWorkflowsCarrySummaries(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:1]...)

	s.mustCLI("sync", s.directory, "--wait")

	desc, err := s.temporal.DescribeWorkflowExecution(s.ctx, workflows.SyncWorkflowID(s.directory), "")
	if err != nil {
		t.Fatal(err)
	}
	dc := converter.GetDefaultDataConverter()
	if s.codecKeys != nil {
		dc = codec.DataConverter(s.codecKeys)
	}
	var summary, details string
	metadata := desc.GetExecutionConfig().GetUserMetadata()
	if err := dc.FromPayload(metadata.GetSummary(), &summary); err != nil {
		t.Fatalf("decode the sync's summary: %v", err)
	}
	if want := "Sync directory " + s.directory; !strings.HasPrefix(summary, want) {
		t.Errorf("sync summary %q, want it to start with %q", summary, want)
	}
	if err := dc.FromPayload(metadata.GetDetails(), &details); err == nil && details != "" {
		t.Logf("sync details: %s", details)
	}
}
