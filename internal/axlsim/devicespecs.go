package axlsim

import (
	"slices"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// The specs below model the line, phone, profile and remote destination operations in the
// order of the AXL 14.0 schema's sequences. A choice such as getLine's uuid or pattern and
// routePartitionName is a sequence of optional children here; the handler rejects both.

var requestAttrs = []string{"sequence"}

func requiredForeignKey(name string) spec {
	s := foreignKey(name)
	s.required = true

	return s
}

// returnedTagsSpec is an optional returnedTags element with the given tags, all optional.
func returnedTagsSpec(required bool, tags ...spec) spec {
	return spec{name: "returnedTags", required: required, attrs: []string{"uuid"}, children: tags}
}

// after returns the specs of first followed by more, in a new slice.
func after(first []spec, more ...spec) []spec {
	return append(slices.Clone(first), more...)
}

func searchCriteriaSpec(names ...string) spec {
	children := make([]spec, 0, len(names))
	for _, name := range names {
		children = append(children, text(name))
	}

	return spec{name: "searchCriteria", required: true, children: children}
}

// lineKeySpecs are the children that select a line: uuid, or pattern and routePartitionName.
var lineKeySpecs = []spec{text("uuid"), text("pattern"), foreignKey("routePartitionName")}

// lineTagSpecs are the RLine and LLine tags that the simulator returns.
var lineTagSpecs = []spec{
	text("pattern"), text("description"), text("usage"), foreignKey("routePartitionName"),
	text("alertingName"), text("asciiAlertingName"), foreignKey("shareLineAppearanceCssName"),
}

var lineSpecs = map[string]spec{
	axl.OpAddLine: {
		name:  axl.OpAddLine,
		attrs: requestAttrs,
		children: []spec{{
			name:        "line",
			required:    true,
			schemaNames: xLineElements,
			children: []spec{
				requiredText("pattern"), text("description"), text("usage"),
				foreignKey("routePartitionName"), text("alertingName"), text("asciiAlertingName"),
				foreignKey("shareLineAppearanceCssName"),
			},
		}},
	},
	axl.OpGetLine: {
		name:     axl.OpGetLine,
		attrs:    requestAttrs,
		children: after(lineKeySpecs, returnedTagsSpec(false, lineTagSpecs...)),
	},
	axl.OpUpdateLine: {
		name:        axl.OpUpdateLine,
		attrs:       requestAttrs,
		schemaNames: updateLineElements,
		children: after(lineKeySpecs,
			text("description"), text("alertingName"), text("asciiAlertingName"),
			foreignKey("shareLineAppearanceCssName"),
		),
	},
	axl.OpRemoveLine: {
		name:     axl.OpRemoveLine,
		attrs:    requestAttrs,
		children: lineKeySpecs,
	},
	axl.OpListLine: {
		name:  axl.OpListLine,
		attrs: requestAttrs,
		children: []spec{
			searchCriteriaSpec("pattern", "description", "usage", "routePartitionName"),
			returnedTagsSpec(true, lineTagSpecs...),
			text("skip"), text("first"),
		},
	},
}

// phoneLineSpec is XPhoneLine: one line of a phone or profile.
var phoneLineSpec = spec{
	name:        "line",
	repeated:    true,
	attrs:       []string{"ctiid"},
	schemaNames: xPhoneLineElements,
	children: []spec{
		requiredText("index"), text("label"), text("display"),
		{
			name:     "dirn",
			required: true,
			attrs:    []string{"uuid"},
			children: []spec{requiredText("pattern"), foreignKey("routePartitionName")},
		},
		text("e164Mask"),
		{
			name: "associatedEndusers",
			children: []spec{{
				name:     "enduser",
				repeated: true,
				children: []spec{requiredText("userId")},
			}},
		},
	},
}

// linesSpec is the lines, addLines or removeLines element of a phone or profile. The schema's
// lineIdentifier alternative is not modelled.
func linesSpec(name string) spec {
	return spec{name: name, schemaNames: []string{"line", "lineIdentifier"}, children: []spec{phoneLineSpec}}
}

// linesTagSpec is lines in returnedTags: RPhoneLine with every child optional.
var linesTagSpec = spec{
	name: "lines",
	children: []spec{{
		name:     "line",
		repeated: true,
		children: []spec{
			text("index"), text("label"), text("display"),
			{name: "dirn", children: []spec{text("pattern"), foreignKey("routePartitionName")}},
			text("e164Mask"),
			{name: "associatedEndusers", children: []spec{{
				name:     "enduser",
				repeated: true,
				children: []spec{text("userId")},
			}}},
		},
	}},
}

// deviceKeySpecs are the children of NameAndGUIDRequest that select a device.
var deviceKeySpecs = []spec{text("name"), text("uuid")}

// phoneTagSpecs are the RPhone tags that the simulator returns; LPhone has them without lines.
func phoneTagSpecs(withLines bool) []spec {
	tags := []spec{
		text("name"), text("description"), text("product"), text("class"), text("protocol"),
		text("protocolSide"), foreignKey("callingSearchSpaceName"), foreignKey("devicePoolName"),
		foreignKey("commonPhoneConfigName"), foreignKey("locationName"),
	}

	if withLines {
		tags = append(tags, linesTagSpec)
	}

	return append(tags, foreignKey("phoneTemplateName"), foreignKey("ownerUserName"))
}

var phoneSpecs = map[string]spec{
	axl.OpAddPhone: {
		name:  axl.OpAddPhone,
		attrs: requestAttrs,
		children: []spec{{
			name:        "phone",
			required:    true,
			attrs:       []string{"ctiid"},
			schemaNames: xPhoneElements,
			children: []spec{
				requiredText("name"), text("description"), requiredText("product"),
				requiredText("class"), requiredText("protocol"), requiredText("protocolSide"),
				foreignKey("callingSearchSpaceName"), requiredForeignKey("devicePoolName"),
				foreignKey("commonPhoneConfigName"), foreignKey("locationName"), linesSpec("lines"),
				foreignKey("phoneTemplateName"), foreignKey("ownerUserName"),
			},
		}},
	},
	axl.OpGetPhone: {
		name:     axl.OpGetPhone,
		attrs:    requestAttrs,
		children: after(deviceKeySpecs, returnedTagsSpec(false, phoneTagSpecs(true)...)),
	},
	axl.OpUpdatePhone: {
		name:        axl.OpUpdatePhone,
		attrs:       requestAttrs,
		schemaNames: updatePhoneElements,
		children: after(deviceKeySpecs,
			text("description"), foreignKey("callingSearchSpaceName"), foreignKey("devicePoolName"),
			foreignKey("commonPhoneConfigName"), foreignKey("locationName"),
			linesSpec("removeLines"), linesSpec("addLines"), linesSpec("lines"),
			foreignKey("phoneTemplateName"), foreignKey("ownerUserName"),
		),
	},
	axl.OpRemovePhone: {
		name:     axl.OpRemovePhone,
		attrs:    requestAttrs,
		children: deviceKeySpecs,
	},
	axl.OpListPhone: {
		name:  axl.OpListPhone,
		attrs: requestAttrs,
		children: []spec{
			searchCriteriaSpec("name", "description", "protocol", "callingSearchSpaceName", "devicePoolName"),
			returnedTagsSpec(true, phoneTagSpecs(false)...),
			text("skip"), text("first"),
		},
	},
}

var profileSpecs = map[string]spec{
	axl.OpAddDeviceProfile: {
		name:  axl.OpAddDeviceProfile,
		attrs: requestAttrs,
		children: []spec{{
			name:        "deviceProfile",
			required:    true,
			attrs:       []string{"ctiid"},
			schemaNames: xDeviceProfileElements,
			children: []spec{
				requiredText("name"), text("description"), requiredText("product"),
				requiredText("class"), requiredText("protocol"), requiredText("protocolSide"),
				linesSpec("lines"), foreignKey("phoneTemplateName"),
			},
		}},
	},
	axl.OpGetDeviceProfile: {
		name:  axl.OpGetDeviceProfile,
		attrs: requestAttrs,
		children: after(deviceKeySpecs, returnedTagsSpec(false,
			text("name"), text("description"), text("product"), text("class"), text("protocol"),
			text("protocolSide"), linesTagSpec, foreignKey("phoneTemplateName"),
		)),
	},
	axl.OpRemoveDeviceProfile: {
		name:     axl.OpRemoveDeviceProfile,
		attrs:    requestAttrs,
		children: deviceKeySpecs,
	},
}

// destinationKeySpecs select a remote destination: destination or uuid.
var destinationKeySpecs = []spec{text("destination"), text("uuid")}

var remoteDestinationSpecs = map[string]spec{
	axl.OpAddRemoteDestinationProfile: {
		name:  axl.OpAddRemoteDestinationProfile,
		attrs: requestAttrs,
		children: []spec{{
			name:        "remoteDestinationProfile",
			required:    true,
			attrs:       []string{"ctiid"},
			schemaNames: xRemoteDestinationProfileElements,
			children: []spec{
				requiredText("name"), text("description"), requiredText("product"),
				requiredText("class"), requiredText("protocol"), requiredText("protocolSide"),
				foreignKey("callingSearchSpaceName"), requiredForeignKey("devicePoolName"),
				linesSpec("lines"), requiredText("userId"),
			},
		}},
	},
	axl.OpGetRemoteDestinationProfile: {
		name:  axl.OpGetRemoteDestinationProfile,
		attrs: requestAttrs,
		children: after(deviceKeySpecs, returnedTagsSpec(false,
			text("name"), text("description"), text("product"), text("class"), text("protocol"),
			text("protocolSide"), foreignKey("callingSearchSpaceName"), foreignKey("devicePoolName"),
			linesTagSpec, text("userId"),
		)),
	},
	axl.OpRemoveRemoteDestinationProfile: {
		name:     axl.OpRemoveRemoteDestinationProfile,
		attrs:    requestAttrs,
		children: deviceKeySpecs,
	},
	axl.OpAddRemoteDestination: {
		name:  axl.OpAddRemoteDestination,
		attrs: requestAttrs,
		children: []spec{{
			name:        "remoteDestination",
			required:    true,
			schemaNames: xRemoteDestinationElements,
			children: []spec{
				text("name"), requiredText("destination"), text("answerTooSoonTimer"),
				text("answerTooLateTimer"), text("delayBeforeRingingCell"),
				requiredForeignKey("ownerUserId"), foreignKey("remoteDestinationProfileName"),
				text("isMobilePhone"), text("enableMobileConnect"), lineAssociationsSpec,
			},
		}},
	},
	axl.OpGetRemoteDestination: {
		name:  axl.OpGetRemoteDestination,
		attrs: requestAttrs,
		children: after(destinationKeySpecs, returnedTagsSpec(false,
			text("name"), text("destination"), text("answerTooSoonTimer"), text("answerTooLateTimer"),
			text("delayBeforeRingingCell"), foreignKey("ownerUserId"),
			foreignKey("remoteDestinationProfileName"), text("isMobilePhone"),
			text("enableMobileConnect"), lineAssociationsTagSpec,
		)),
	},
	axl.OpRemoveRemoteDestination: {
		name:     axl.OpRemoveRemoteDestination,
		attrs:    requestAttrs,
		children: destinationKeySpecs,
	},
}

// lineAssociationsSpec is XRemoteDestination's lineAssociations, by pattern and partition.
var lineAssociationsSpec = spec{
	name: "lineAssociations",
	children: []spec{{
		name:        "lineAssociation",
		repeated:    true,
		schemaNames: []string{"uuid", "pattern", "routePartitionName"},
		children:    []spec{requiredText("pattern"), foreignKey("routePartitionName")},
	}},
}

var lineAssociationsTagSpec = spec{
	name: "lineAssociations",
	children: []spec{{
		name:     "lineAssociation",
		repeated: true,
		children: []spec{text("pattern"), foreignKey("routePartitionName")},
	}},
}
