package axl

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line operation names.
const (
	OpAddLine    = "addLine"
	OpGetLine    = "getLine"
	OpUpdateLine = "updateLine"
	OpRemoveLine = "removeLine"
	OpListLine   = "listLine"
)

// Lengths that the AXL schema allows for a line's alerting names, in characters.
const (
	MaxAlertingNameLength      = 50
	MaxASCIIAlertingNameLength = 32
)

// Line is a directory number: the pattern in its route partition, which together identify
// it, and the names callers see. Empty strings are fields UCM holds empty.
type Line struct {
	// UUID is UCM's identifier in braces and upper case. Read only.
	UUID string `json:"uuid,omitempty"`
	// Pattern is the number in plain form, such as 1001 or +442071234567. Required.
	Pattern string `json:"pattern"`
	// RoutePartitionName is the partition; empty is the null partition.
	RoutePartitionName string `json:"routePartitionName,omitempty"`
	Description        string `json:"description,omitempty"`
	// AlertingName is the name shown to the called party's callers, at most 50 characters of
	// any script.
	AlertingName string `json:"alertingName,omitempty"`
	// ASCIIAlertingName is the alerting name for devices without Unicode fonts, at most 32
	// ASCII characters.
	ASCIIAlertingName string `json:"asciiAlertingName,omitempty"`
	// ShareLineAppearanceCSSName is the calling search space of the line's shared
	// appearances; empty means none.
	ShareLineAppearanceCSSName string `json:"shareLineAppearanceCssName,omitempty"`
}

// Extension returns the pattern and partition that identify the line.
func (l Line) Extension() Extension {
	return Extension{Pattern: l.Pattern, RoutePartitionName: l.RoutePartitionName}
}

// LineUpdate is a change to an existing line. Nil fields are not sent, so UCM keeps them; a
// pointer to "" clears the field.
type LineUpdate struct {
	// Line selects the line by pattern and partition. Its Pattern is required.
	Line                       Extension
	Description                *string
	AlertingName               *string
	ASCIIAlertingName          *string
	ShareLineAppearanceCSSName *string
}

// IsEmpty reports whether the update changes nothing.
func (u LineUpdate) IsEmpty() bool {
	return u.Description == nil && u.AlertingName == nil && u.ASCIIAlertingName == nil &&
		u.ShareLineAppearanceCSSName == nil
}

// AddLine creates l as a directory number of usage Device and returns its UUID in braces and
// upper case. A line with the same pattern in the same partition is a [*Fault] for which
// [IsDuplicate] is true. A missing partition or CSS is a fault for which [IsNotFound] is
// true.
func (c *Client) AddLine(ctx context.Context, l Line) (string, error) {
	if l.Pattern == "" {
		return "", errors.New("axl addLine: pattern is empty")
	}

	if err := checkAlertingNames(OpAddLine, l.AlertingName, l.ASCIIAlertingName); err != nil {
		return "", err
	}

	request := addLineRequest{XMLName: operationName(OpAddLine), Line: newXLine(l)}

	return c.callAdd(ctx, OpAddLine, &request)
}

// GetLine returns the line that line identifies. A missing line is a [*Fault] for which
// [IsNotFound] is true.
func (c *Client) GetLine(ctx context.Context, line Extension) (Line, error) {
	if line.Pattern == "" {
		return Line{}, errors.New("axl getLine: pattern is empty")
	}

	request := getLineRequest{XMLName: operationName(OpGetLine), lineKey: newLineKey(line)}

	var response getLineResponse
	if err := c.call(ctx, OpGetLine, &request, &response); err != nil {
		return Line{}, err
	}

	return response.Line.toLine(), nil
}

// UpdateLine sends the fields of u that are set. An update that sets nothing returns nil
// without calling UCM. A missing line is a [*Fault] for which [IsNotFound] is true.
func (c *Client) UpdateLine(ctx context.Context, u LineUpdate) error {
	if u.Line.Pattern == "" {
		return errors.New("axl updateLine: pattern is empty")
	}

	err := checkAlertingNames(OpUpdateLine, deref(u.AlertingName), deref(u.ASCIIAlertingName))
	if err != nil {
		return err
	}

	if u.IsEmpty() {
		return nil
	}

	request := updateLineRequest{
		XMLName:                    operationName(OpUpdateLine),
		lineKey:                    newLineKey(u.Line),
		Description:                u.Description,
		AlertingName:               u.AlertingName,
		ASCIIAlertingName:          u.ASCIIAlertingName,
		ShareLineAppearanceCSSName: u.ShareLineAppearanceCSSName,
	}

	return c.call(ctx, OpUpdateLine, &request, &standardResponse{})
}

// RemoveLine deletes the line that line identifies. A missing line is a [*Fault] for which
// [IsNotFound] is true.
func (c *Client) RemoveLine(ctx context.Context, line Extension) error {
	if line.Pattern == "" {
		return errors.New("axl removeLine: pattern is empty")
	}

	request := removeLineRequest{XMLName: operationName(OpRemoveLine), lineKey: newLineKey(line)}

	return c.call(ctx, OpRemoveLine, &request, &standardResponse{})
}

// ListLinesRequest selects lines for [Client.ListLines].
type ListLinesRequest struct {
	// Pattern, Description and RoutePartitionName are search patterns in which % matches any
	// run of characters. Pattern is in plain form: a leading + is escaped as UCM stores it.
	// Empty patterns are not sent; with none set, the request searches pattern "%".
	Pattern            string
	Description        string
	RoutePartitionName string
	// Skip and First page the result as in [ListUsersRequest].
	Skip  int
	First int
}

// ListLines returns the lines that match r, in UCM's order. It returns an empty slice when
// nothing matches.
//
// NOTE: the simulator matches the escaped \+ of Pattern literally. How UCM's database treats
// that backslash in a search pattern has not been checked.
func (c *Client) ListLines(ctx context.Context, r ListLinesRequest) ([]Line, error) {
	if err := checkPaging(OpListLine, r.Skip, r.First); err != nil {
		return nil, err
	}

	request := listLineRequest{
		XMLName: operationName(OpListLine),
		SearchCriteria: listLineCriteria{
			Pattern:            EscapePattern(r.Pattern),
			Description:        r.Description,
			RoutePartitionName: r.RoutePartitionName,
		},
	}

	if r.Pattern == "" && r.Description == "" && r.RoutePartitionName == "" {
		request.SearchCriteria.Pattern = "%"
	}

	request.Skip, request.First = pagingElements(r.Skip, r.First)

	var response listLineResponse
	if err := c.call(ctx, OpListLine, &request, &response); err != nil {
		return nil, err
	}

	lines := make([]Line, 0, len(response.Lines))
	for _, l := range response.Lines {
		lines = append(lines, l.toLine())
	}

	return lines, nil
}

func checkAlertingNames(op, alerting, ascii string) error {
	if n := utf8.RuneCountInString(alerting); n > MaxAlertingNameLength {
		return fmt.Errorf("axl %s: alerting name has %d characters, more than the %d UCM allows",
			op, n, MaxAlertingNameLength)
	}

	for _, r := range ascii {
		if r > 127 {
			return fmt.Errorf("axl %s: ASCII alerting name %q contains %q: use ASCII characters only",
				op, ascii, r)
		}
	}

	if len(ascii) > MaxASCIIAlertingNameLength {
		return fmt.Errorf("axl %s: ASCII alerting name has %d characters, more than the %d UCM allows",
			op, len(ascii), MaxASCIIAlertingNameLength)
	}

	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}

	return *s
}

// callAdd sends an add request and returns the UUID of the new item.
func (c *Client) callAdd(ctx context.Context, op string, request any) (string, error) {
	var response standardResponse
	if err := c.call(ctx, op, request, &response); err != nil {
		return "", err
	}

	uuid := strings.TrimSpace(response.Return)
	if !isUUID(uuid) {
		return "", fmt.Errorf("axl %s: response %q is not a UUID in braces", op, uuid)
	}

	return strings.ToUpper(uuid), nil
}

// The request types below follow the AXL schema's XLine, UpdateLineReq, GetLineReq with
// RLine, ListLineReq with LLine, and RemoveLineReq.

// lineUsage is the usage of a directory number that devices use.
const lineUsage = "Device"

type addLineRequest struct {
	XMLName xml.Name
	Line    xLine `xml:"line"`
}

type xLine struct {
	Pattern                    string `xml:"pattern"`
	Description                string `xml:"description,omitempty"`
	Usage                      string `xml:"usage"`
	RoutePartitionName         string `xml:"routePartitionName,omitempty"`
	AlertingName               string `xml:"alertingName,omitempty"`
	ASCIIAlertingName          string `xml:"asciiAlertingName,omitempty"`
	ShareLineAppearanceCSSName string `xml:"shareLineAppearanceCssName,omitempty"`
}

func newXLine(l Line) xLine {
	return xLine{
		Pattern:                    EscapePattern(l.Pattern),
		Description:                l.Description,
		Usage:                      lineUsage,
		RoutePartitionName:         l.RoutePartitionName,
		AlertingName:               l.AlertingName,
		ASCIIAlertingName:          l.ASCIIAlertingName,
		ShareLineAppearanceCSSName: l.ShareLineAppearanceCSSName,
	}
}

// lineKey selects a line. The null partition leaves routePartitionName out.
type lineKey struct {
	Pattern            string `xml:"pattern"`
	RoutePartitionName string `xml:"routePartitionName,omitempty"`
}

func newLineKey(e Extension) lineKey {
	return lineKey{Pattern: EscapePattern(e.Pattern), RoutePartitionName: e.RoutePartitionName}
}

type getLineRequest struct {
	XMLName xml.Name
	lineKey
	ReturnedTags lineTags `xml:"returnedTags"`
}

// lineTags requests the fields of Line, in the order of RLine and LLine.
type lineTags struct {
	Pattern                    string `xml:"pattern"`
	Description                string `xml:"description"`
	RoutePartitionName         string `xml:"routePartitionName"`
	AlertingName               string `xml:"alertingName"`
	ASCIIAlertingName          string `xml:"asciiAlertingName"`
	ShareLineAppearanceCSSName string `xml:"shareLineAppearanceCssName"`
}

type updateLineRequest struct {
	XMLName xml.Name
	lineKey
	Description                *string `xml:"description,omitempty"`
	AlertingName               *string `xml:"alertingName,omitempty"`
	ASCIIAlertingName          *string `xml:"asciiAlertingName,omitempty"`
	ShareLineAppearanceCSSName *string `xml:"shareLineAppearanceCssName,omitempty"`
}

type removeLineRequest struct {
	XMLName xml.Name
	lineKey
}

type listLineRequest struct {
	XMLName        xml.Name
	SearchCriteria listLineCriteria `xml:"searchCriteria"`
	ReturnedTags   lineTags         `xml:"returnedTags"`
	Skip           *int             `xml:"skip,omitempty"`
	First          *int             `xml:"first,omitempty"`
}

type listLineCriteria struct {
	Pattern            string `xml:"pattern,omitempty"`
	Description        string `xml:"description,omitempty"`
	RoutePartitionName string `xml:"routePartitionName,omitempty"`
}

type getLineResponse struct {
	Line rLine `xml:"return>line"`
}

type listLineResponse struct {
	Lines []rLine `xml:"return>line"`
}

// rLine reads a line from getLine (RLine) and listLine (LLine) responses.
type rLine struct {
	UUID                       string `xml:"uuid,attr"`
	Pattern                    string `xml:"pattern"`
	Description                string `xml:"description"`
	RoutePartitionName         string `xml:"routePartitionName"`
	AlertingName               string `xml:"alertingName"`
	ASCIIAlertingName          string `xml:"asciiAlertingName"`
	ShareLineAppearanceCSSName string `xml:"shareLineAppearanceCssName"`
}

func (r rLine) toLine() Line {
	return Line{
		UUID:                       strings.ToUpper(r.UUID),
		Pattern:                    UnescapePattern(r.Pattern),
		RoutePartitionName:         r.RoutePartitionName,
		Description:                r.Description,
		AlertingName:               r.AlertingName,
		ASCIIAlertingName:          r.ASCIIAlertingName,
		ShareLineAppearanceCSSName: r.ShareLineAppearanceCSSName,
	}
}
