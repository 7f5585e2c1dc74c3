package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/ucmpush/ucmpush/internal/store"
)

// entry is one inetOrgPerson written to slapd as given. Its RDN is cn=<label>, not the uid,
// so uids that a DN cannot hold unescaped, and uids that differ only in case (which slapd's
// case-insensitive uid matching would treat as one RDN), can sit side by side.
type entry struct {
	label string
	attrs map[string]string
}

func (s *stack) addEntries(entries ...entry) {
	s.t.Helper()

	for _, e := range entries {
		dn := fmt.Sprintf("cn=%s,%s", ldap.EscapeDN(e.label), s.peopleDN)
		add := ldap.NewAddRequest(dn, nil)
		add.Attribute("objectClass", []string{"inetOrgPerson"})
		add.Attribute("cn", []string{e.label})

		for name, value := range e.attrs {
			add.Attribute(name, []string{value})
		}

		if err := s.ldap.Add(add); err != nil {
			s.t.Fatalf("add %s with %q: %v", dn, e.attrs, err)
		}
	}
}

// storedUsers returns the store's users whose userid equals uid without regard to case.
func (s *stack) storedUsers(uid string) []store.UserView {
	s.t.Helper()

	users, err := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer, UserID: uid})
	if err != nil {
		s.t.Fatalf("look up %q in the store: %v", uid, err)
	}

	return users
}

// hostileStack is a stack whose london site (auto push on) takes every user of the directory.
func hostileStack(t *testing.T) *stack {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "userid=*")

	return s
}

func TestHostileFilterMetacharacterUserID(t *testing.T) {
	s := hostileStack(t)
	hostile := []string{"*)(uid=*", "100%_sure", `back\slash`, "(|(uid=alice))"}
	entries := []entry{
		{label: "alice", attrs: map[string]string{"uid": "alice", "sn": "Smith"}},
		{label: "bob", attrs: map[string]string{"uid": "bob", "sn": "Jones"}},
	}
	for i, uid := range hostile {
		entries = append(entries, entry{label: fmt.Sprintf("hostile-%d", i),
			attrs: map[string]string{"uid": uid, "sn": fmt.Sprintf("Hostile %d", i)}})
	}
	s.addEntries(entries...)

	result := s.mustSync()

	if result.Sync.Added != len(entries) || result.Sync.Invalid != 0 {
		t.Errorf("sync counts %+v, want %d added and none invalid", result.Sync, len(entries))
	}

	if got := len(s.sim.Users()); got != len(entries) {
		t.Errorf("simulator holds %d users, want %d: %+v", got, len(entries), s.sim.Users())
	}

	for i, uid := range hostile {
		u, ok := s.sim.User(uid)
		if !ok {
			t.Errorf("simulator lacks %q", uid)
			continue
		}

		if u.UserID != uid || u.LastName != fmt.Sprintf("Hostile %d", i) {
			t.Errorf("simulator user for %q = %+v, want that userid with last name Hostile %d", uid, u, i)
		}

		if got := s.storedUsers(uid); len(got) != 1 || got[0].UserID != uid {
			t.Errorf("store holds %+v for %q, want exactly that one user", got, uid)
		}
	}
}

// hostileNames are values that need XML escaping, try to break out of an element, or use
// scripts, combining marks and emoji outside the Basic Multilingual Plane.
var hostileNames = []struct {
	uid, given, sn, department, title, mail string
}{
	{uid: "xml1", given: `Zoë "Zed"`, sn: "O'Brien & <Sons>", department: `R&D <EMEA> "Core"`,
		title: "Head of 'Ops' & <QA>", mail: "o'brien+tag@example.com"},
	{uid: "xml2", given: "]]>", sn: "</lastName><userid>admin</userid><lastName>",
		department: "<![CDATA[x]]>", title: "&amp;&lt;", mail: "x@example.com"},
	{uid: "arabic", given: "محمد", sn: "عبد الله", department: "المبيعات", title: "مهندس"},
	{uid: "hindi", given: "देवनागरी", sn: "हिन्दी", department: "बिक्री"},
	{uid: "emoji", given: "👩‍💻", sn: "Smith 🙂👍🏽", department: "🚀 Launch", title: "🦄"},
	{uid: "astral", given: "𠮷", sn: "𠮷野家", department: "営業"},
	{uid: "combining", given: "Jose\u0301", sn: "Ἀλέξανδρος", title: "Zürich\u200d"},
}

func TestHostileNamesArriveUnchanged(t *testing.T) {
	s := hostileStack(t)
	for _, p := range hostileNames {
		attrs := map[string]string{"uid": p.uid, "givenName": p.given, "sn": p.sn}
		for name, value := range map[string]string{"departmentNumber": p.department,
			"title": p.title, "mail": p.mail} {
			if value != "" {
				attrs[name] = value
			}
		}
		s.addEntries(entry{label: p.uid, attrs: attrs})
	}

	result := s.mustSync()

	london := siteResult(t, result, "london")
	if london.Push == nil || london.Push.Added != len(hostileNames) || london.Push.Failed != 0 {
		t.Fatalf("london push %+v, want %d added and none failed", london.Push, len(hostileNames))
	}

	for _, p := range hostileNames {
		u, ok := s.sim.User(p.uid)
		if !ok {
			t.Errorf("simulator lacks %s", p.uid)
			continue
		}

		for _, field := range []struct{ name, got, want string }{
			{"firstName", u.FirstName, p.given},
			{"lastName", u.LastName, p.sn},
			{"department", u.Department, p.department},
			{"title", u.Title, p.title},
			{"mailid", u.MailID, p.mail},
		} {
			if field.got != field.want {
				t.Errorf("%s: %s on the simulator = %q, want %q", p.uid, field.name, field.got, field.want)
			}
		}
	}

	// Values that changed on the way would differ from UCM on every sync and be pushed again.
	writes := s.writes()
	s.mustSync()

	if got := s.writes() - writes; got != 0 {
		t.Errorf("second sync sent %d AXL writes for unchanged hostile names, want 0", got)
	}
}

// TestHostileControlCharacter covers characters that are valid UTF-8 but that XML 1.0 cannot
// carry: ESC (as in an ANSI colour code), BEL and U+FFFE. Go's encoding/xml replaces each with
// U+FFFD, so unless the mapping rejects them, UCM holds another value than the store and no
// one is told. Each must be reported invalid, or reach UCM unchanged.
func TestHostileControlCharacter(t *testing.T) {
	s := hostileStack(t)
	values := map[string]string{"esc": "Red\x1b[31m", "nonchar": "Non\uFFFEchar", "bell": "Bell\x07"}
	for uid, sn := range values {
		s.addEntries(entry{label: uid, attrs: map[string]string{"uid": uid, "sn": sn}})
	}
	s.addEntries(entry{label: "plain", attrs: map[string]string{"uid": "plain", "sn": "Plain"}})

	s.mustSync()
	writes := s.writes()
	s.mustSync()

	if got := s.writes() - writes; got != 0 {
		t.Errorf("second sync sent %d AXL writes, want 0: a value is changed on its way to UCM", got)
	}

	for uid, sn := range values {
		stored := s.storedUsers(uid)
		if len(stored) != 1 {
			t.Fatalf("store holds %d users for %s, want 1", len(stored), uid)
		}

		u, pushed := s.sim.User(uid)
		switch {
		case stored[0].Invalid != "" && pushed:
			t.Errorf("%s is invalid (%s) but reached the simulator", uid, stored[0].Invalid)
		case stored[0].Invalid == "" && !pushed:
			t.Errorf("%s is valid but not on the simulator: push state %s %s", uid,
				stored[0].PushStatus, stored[0].PushReason)
		case pushed && u.LastName != sn:
			t.Errorf("%s: last name on the simulator = %q, want %q unchanged", uid, u.LastName, sn)
		}
	}

	if _, ok := s.sim.User("plain"); !ok {
		t.Error("simulator lacks plain, whose push must go on")
	}
}

func TestHostileCaseDuplicateUserIDs(t *testing.T) {
	s := hostileStack(t)
	s.addEntries(
		entry{label: "upper", attrs: map[string]string{"uid": "JSmith", "sn": "Smith"}},
		entry{label: "lower", attrs: map[string]string{"uid": "jsmith", "sn": "Smith"}},
		entry{label: "alice", attrs: map[string]string{"uid": "alice", "sn": "Able"}},
		entry{label: "bob", attrs: map[string]string{"uid": "bob", "sn": "Baker"}},
	)

	result := s.mustSync()

	if result.Sync.Invalid != 2 {
		t.Errorf("sync counts %+v, want 2 invalid", result.Sync)
	}

	stored := s.storedUsers("jsmith")
	if len(stored) != 2 {
		t.Fatalf("store holds %d users for jsmith in any case, want both: %+v", len(stored), stored)
	}

	for _, u := range stored {
		if !strings.Contains(u.Invalid, "case") {
			t.Errorf("%s: invalid reason %q, want one about case", u.UserID, u.Invalid)
		}
	}

	if u, ok := s.sim.User("jsmith"); ok {
		t.Errorf("simulator holds %+v, want neither JSmith nor jsmith", u)
	}

	for _, uid := range []string{"alice", "bob"} {
		if _, ok := s.sim.User(uid); !ok {
			t.Errorf("simulator lacks %s: the rest of the sync must go on", uid)
		}
	}

	london := siteResult(t, result, "london")
	if london.Push == nil || london.Push.Added != 2 || london.Push.Failed != 0 {
		t.Errorf("london push %+v, want alice and bob added and nothing failed", london.Push)
	}
}

func TestHostileValueTooLong(t *testing.T) {
	s := hostileStack(t)
	longUserID := strings.Repeat("u", 129)
	longName := strings.Repeat("é", 65)
	widest := strings.Repeat("🙂", 64)
	s.addEntries(
		entry{label: "long-uid", attrs: map[string]string{"uid": longUserID, "sn": "Long"}},
		entry{label: "long-sn", attrs: map[string]string{"uid": "longname", "sn": longName}},
		entry{label: "long-given", attrs: map[string]string{"uid": "longgiven", "sn": "Given",
			"givenName": longName}},
		entry{label: "widest", attrs: map[string]string{"uid": "widest", "sn": widest}},
		entry{label: "alice", attrs: map[string]string{"uid": "alice", "sn": "Able"}},
	)

	result := s.mustSync()

	if result.Sync.Invalid != 3 {
		t.Errorf("sync counts %+v, want 3 invalid", result.Sync)
	}

	for _, uid := range []string{longUserID, "longname", "longgiven"} {
		stored := s.storedUsers(uid)
		if len(stored) != 1 || !strings.Contains(stored[0].Invalid, "longer than") {
			t.Errorf("store holds %+v for %.20s..., want one user invalid as too long", stored, uid)
		}

		if _, ok := s.sim.User(uid); ok {
			t.Errorf("simulator holds %.20s..., whose value is longer than UCM accepts", uid)
		}
	}

	// 64 characters is the limit, whatever their size in bytes.
	u, ok := s.sim.User("widest")
	if !ok || u.LastName != widest {
		t.Errorf("simulator user widest = %+v, %v; want it pushed with its 64-emoji last name", u, ok)
	}

	if _, ok := s.sim.User("alice"); !ok {
		t.Error("simulator lacks alice: the rest of the sync must go on")
	}
}

func TestHostileEntryWithoutMailOrPhone(t *testing.T) {
	s := hostileStack(t)
	s.addEntries(
		entry{label: "bare", attrs: map[string]string{"uid": "bare", "sn": "Bare"}},
		entry{label: "full", attrs: map[string]string{"uid": "full", "sn": "Full", "givenName": "F",
			"mail": "full@example.com", "telephoneNumber": "+442071000009"}},
	)

	s.mustSync()

	u, ok := s.sim.User("bare")
	if !ok {
		t.Fatal("simulator lacks bare, which has a userid and a last name")
	}

	if u.MailID != "" || u.TelephoneNumber != "" || u.FirstName != "" || u.LastName != "Bare" {
		t.Errorf("simulator user bare = %+v, want last name Bare and nothing else", u)
	}

	// Losing mail and phone in the directory clears them on UCM.
	modify := ldap.NewModifyRequest(fmt.Sprintf("cn=full,%s", s.peopleDN), nil)
	modify.Delete("mail", nil)
	modify.Delete("telephoneNumber", nil)
	if err := s.ldap.Modify(modify); err != nil {
		t.Fatalf("remove mail and phone of full: %v", err)
	}

	result := s.mustSync()

	if result.Sync.Updated != 1 {
		t.Errorf("sync counts %+v, want full updated", result.Sync)
	}

	u, _ = s.sim.User("full")
	if u.MailID != "" || u.TelephoneNumber != "" {
		t.Errorf("simulator user full = %+v, want mail and phone cleared", u)
	}
}
