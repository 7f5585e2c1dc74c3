package axlsim

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// phoneLinesFromNode reads the line children of a lines, addLines or removeLines element of
// a phone or profile. It returns nil for an absent element.
func phoneLinesFromNode(n *node) ([]axl.PhoneLine, error) {
	if n == nil {
		return nil, nil
	}

	lines := make([]axl.PhoneLine, 0, len(n.children))

	for _, c := range n.children {
		index, err := intValue(c, "index", 0)
		if err != nil {
			return nil, err
		}

		l := axl.PhoneLine{Index: index}
		l.Label, _ = c.value("label")
		l.Display, _ = c.value("display")
		l.E164Mask, _ = c.value("e164Mask")

		dirn := c.child("dirn")
		l.Dirn.Pattern, _ = dirn.value("pattern")
		l.Dirn.RoutePartitionName, _ = dirn.value("routePartitionName")

		if users := c.child("associatedEndusers"); users != nil {
			for _, enduser := range users.children {
				userid, _ := enduser.value("userId")
				l.AssociatedEndUsers = append(l.AssociatedEndUsers, userid)
			}
		}

		lines = append(lines, l)
	}

	return lines, nil
}

// checkDeviceLines checks the lines of one device: buttons from 1, no button or line twice,
// every line and associated end user existing, and labels within the schema's String50.
//
// NOTE: UCM may create a directory number that addPhone names but that does not exist. The
// simulator requires addLine first, so a client that passes here works either way.
func (s *Server) checkDeviceLines(lines []axl.PhoneLine) error {
	indexes := make(map[int]bool, len(lines))
	dirns := make(map[lineKey]bool, len(lines))

	for _, l := range lines {
		if l.Index < 1 {
			return invalidFault("line index %d is not valid: buttons count from 1", l.Index)
		}

		key := keyOfExtension(l.Dirn)
		if indexes[l.Index] || dirns[key] {
			return duplicateFault()
		}

		indexes[l.Index] = true
		dirns[key] = true

		if _, ok := s.lines[key]; !ok {
			return missingFault(lineName(key.pattern, key.partition))
		}

		for _, userid := range l.AssociatedEndUsers {
			if _, ok := s.users[strings.ToLower(userid)]; !ok {
				return missingFault("User " + userid)
			}
		}

		for name, value := range map[string]string{"label": l.Label, "display": l.Display} {
			if err := checkMaxLength(name, value, 50); err != nil {
				return err
			}
		}
	}

	return nil
}

// phoneLinesOut is the lines element of RPhone, RDeviceProfile and RRemoteDestinationProfile,
// in button order.
func phoneLinesOut(lines []axl.PhoneLine) outElement {
	sorted := slices.Clone(lines)
	slices.SortStableFunc(sorted, func(a, b axl.PhoneLine) int { return a.Index - b.Index })

	out := complexOut("lines")

	for _, l := range sorted {
		users := complexOut("associatedEndusers")

		for _, userid := range l.AssociatedEndUsers {
			users.children = append(users.children, complexOut("enduser", textOut("userId", userid)))
		}

		out.children = append(out.children, complexOut("line",
			textOut("index", strconv.Itoa(l.Index)),
			textOut("label", l.Label),
			textOut("display", l.Display),
			complexOut("dirn",
				textOut("pattern", l.Dirn.Pattern),
				textOut("routePartitionName", l.Dirn.RoutePartitionName),
			),
			textOut("e164Mask", l.E164Mask),
			users,
		))
	}

	return out
}

// clonePhoneLines copies lines deeply; nil stays nil.
func clonePhoneLines(lines []axl.PhoneLine) []axl.PhoneLine {
	if lines == nil {
		return nil
	}

	cloned := make([]axl.PhoneLine, len(lines))
	for i, l := range lines {
		l.AssociatedEndUsers = slices.Clone(l.AssociatedEndUsers)
		cloned[i] = l
	}

	return cloned
}

// hasLine reports whether one of lines is key.
func hasLine(lines []axl.PhoneLine, key lineKey) bool {
	return slices.ContainsFunc(lines, func(l axl.PhoneLine) bool { return keyOfExtension(l.Dirn) == key })
}

// withoutLine returns lines without those whose dirn is key.
func withoutLine(lines []axl.PhoneLine, key lineKey) []axl.PhoneLine {
	return slices.DeleteFunc(clonePhoneLines(lines), func(l axl.PhoneLine) bool {
		return keyOfExtension(l.Dirn) == key
	})
}

// withoutEndUser returns lines without the associated end user whose lower-case userid is
// key.
func withoutEndUser(lines []axl.PhoneLine, key string) []axl.PhoneLine {
	cloned := clonePhoneLines(lines)
	for i := range cloned {
		kept := slices.DeleteFunc(cloned[i].AssociatedEndUsers, func(userid string) bool {
			return strings.ToLower(userid) == key
		})

		if len(kept) == 0 {
			kept = nil
		}

		cloned[i].AssociatedEndUsers = kept
	}

	return cloned
}
