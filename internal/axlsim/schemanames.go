package axlsim

// The lists below name every child that the AXL 14.0 schema allows in the request types that
// the simulator models only in part. A valid element that the simulator does not model then
// gets a fault naming it as such, not as an unknown element.

// xLineElements lists the children of the schema's XLine.
var xLineElements = []string{
	"pattern", "description", "usage", "routePartitionName", "aarNeighborhoodName",
	"aarDestinationMask", "aarKeepCallHistory", "aarVoiceMailEnabled", "callForwardAll",
	"callForwardBusy", "callForwardBusyInt", "callForwardNoAnswer", "callForwardNoAnswerInt",
	"callForwardNoCoverage", "callForwardNoCoverageInt", "callForwardOnFailure",
	"callForwardAlternateParty", "callForwardNotRegistered", "callForwardNotRegisteredInt",
	"callPickupGroupName", "autoAnswer", "networkHoldMohAudioSourceId",
	"userHoldMohAudioSourceId", "callingIdPresentationWhenDiverted", "alertingName",
	"asciiAlertingName", "presenceGroupName", "shareLineAppearanceCssName",
	"voiceMailProfileName", "patternPrecedence", "releaseClause", "hrDuration", "hrInterval",
	"cfaCssPolicy", "defaultActivatedDeviceName", "parkMonForwardNoRetrieveDn",
	"parkMonForwardNoRetrieveIntDn", "parkMonForwardNoRetrieveVmEnabled",
	"parkMonForwardNoRetrieveIntVmEnabled", "parkMonForwardNoRetrieveCssName",
	"parkMonForwardNoRetrieveIntCssName", "parkMonReversionTimer", "partyEntranceTone",
	"directoryURIs", "allowCtiControlFlag", "rejectAnonymousCall", "patternUrgency",
	"confidentialAccess", "externalCallControlProfile", "enterpriseAltNum", "e164AltNum",
	"pstnFailover", "callControlAgentProfile", "useEnterpriseAltNum", "useE164AltNum",
	"active", "externalPresentationInfo",
}

// updateLineElements lists the children of the schema's UpdateLineReq.
var updateLineElements = []string{
	"uuid", "pattern", "routePartitionName", "newPattern", "description",
	"newRoutePartitionName", "aarNeighborhoodName", "aarDestinationMask", "aarKeepCallHistory",
	"aarVoiceMailEnabled", "callForwardAll", "callForwardBusy", "callForwardBusyInt",
	"callForwardNoAnswer", "callForwardNoAnswerInt", "callForwardNoCoverage",
	"callForwardNoCoverageInt", "callForwardOnFailure", "callForwardAlternateParty",
	"callForwardNotRegistered", "callForwardNotRegisteredInt", "callPickupGroupName",
	"autoAnswer", "networkHoldMohAudioSourceId", "userHoldMohAudioSourceId",
	"callingIdPresentationWhenDiverted", "alertingName", "asciiAlertingName",
	"presenceGroupName", "shareLineAppearanceCssName", "voiceMailProfileName",
	"patternPrecedence", "releaseClause", "hrDuration", "hrInterval", "cfaCssPolicy",
	"defaultActivatedDeviceName", "parkMonForwardNoRetrieveDn",
	"parkMonForwardNoRetrieveIntDn", "parkMonForwardNoRetrieveVmEnabled",
	"parkMonForwardNoRetrieveIntVmEnabled", "parkMonForwardNoRetrieveCssName",
	"parkMonForwardNoRetrieveIntCssName", "parkMonReversionTimer", "partyEntranceTone",
	"directoryURIs", "allowCtiControlFlag", "rejectAnonymousCall", "patternUrgency",
	"confidentialAccess", "externalCallControlProfile", "enterpriseAltNum", "e164AltNum",
	"pstnFailover", "callControlAgentProfile", "useEnterpriseAltNum", "useE164AltNum",
	"active", "externalPresentationInfo",
}

// xPhoneElements lists the children of the schema's XPhone.
var xPhoneElements = []string{
	"name", "description", "product", "class", "protocol", "protocolSide",
	"callingSearchSpaceName", "devicePoolName", "commonDeviceConfigName",
	"commonPhoneConfigName", "networkLocation", "locationName", "mediaResourceListName",
	"networkHoldMohAudioSourceId", "userHoldMohAudioSourceId",
	"automatedAlternateRoutingCssName", "aarNeighborhoodName", "loadInformation",
	"vendorConfig", "versionStamp", "traceFlag", "mlppDomainId", "mlppIndicationStatus",
	"preemption", "useTrustedRelayPoint", "retryVideoCallAsAudio", "securityProfileName",
	"sipProfileName", "cgpnTransformationCssName", "useDevicePoolCgpnTransformCss",
	"geoLocationName", "geoLocationFilterName", "sendGeoLocation", "lines",
	"phoneTemplateName", "speeddials", "busyLampFields", "primaryPhoneName",
	"ringSettingIdleBlfAudibleAlert", "ringSettingBusyBlfAudibleAlert", "blfDirectedCallParks",
	"addOnModules", "userLocale", "networkLocale", "idleTimeout", "authenticationUrl",
	"directoryUrl", "idleUrl", "informationUrl", "messagesUrl", "proxyServerUrl",
	"servicesUrl", "services", "softkeyTemplateName", "defaultProfileName",
	"enableExtensionMobility", "singleButtonBarge", "joinAcrossLines", "builtInBridgeStatus",
	"callInfoPrivacyStatus", "hlogStatus", "ownerUserName", "ignorePresentationIndicators",
	"packetCaptureMode", "packetCaptureDuration", "subscribeCallingSearchSpaceName",
	"rerouteCallingSearchSpaceName", "allowCtiControlFlag", "presenceGroupName",
	"unattendedPort", "requireDtmfReception", "rfc2833Disabled", "certificateOperation",
	"authenticationMode", "keySize", "keyOrder", "ecKeySize", "authenticationString",
	"upgradeFinishTime", "deviceMobilityMode", "remoteDevice", "dndOption", "dndRingSetting",
	"dndStatus", "isActive", "isDualMode", "mobilityUserIdName", "phoneSuite",
	"phoneServiceDisplay", "isProtected", "mtpRequired", "mtpPreferedCodec", "dialRulesName",
	"sshUserId", "sshPwd", "digestUser", "outboundCallRollover", "hotlineDevice",
	"secureInformationUrl", "secureDirectoryUrl", "secureMessageUrl", "secureServicesUrl",
	"secureAuthenticationUrl", "secureIdleUrl", "alwaysUsePrimeLine",
	"alwaysUsePrimeLineForVoiceMessage", "featureControlPolicy", "deviceTrustMode",
	"earlyOfferSupportForVoiceCall", "requireThirdPartyRegistration",
	"blockIncomingCallsWhenRoaming", "homeNetworkId", "AllowPresentationSharingUsingBfcp",
	"confidentialAccess", "requireOffPremiseLocation", "allowiXApplicableMedia",
	"cgpnIngressDN", "useDevicePoolCgpnIngressDN", "msisdn",
	"enableCallRoutingToRdWhenNoneIsActive", "wifiHotspotProfile", "wirelessLanProfileGroup",
	"elinGroup", "enableActivationID", "mraServiceDomain", "allowMraMode",
}

// updatePhoneElements lists the children of the schema's UpdatePhoneReq.
var updatePhoneElements = []string{
	"name", "uuid", "newName", "description", "callingSearchSpaceName", "devicePoolName",
	"commonDeviceConfigName", "commonPhoneConfigName", "networkLocation", "locationName",
	"mediaResourceListName", "networkHoldMohAudioSourceId", "userHoldMohAudioSourceId",
	"automatedAlternateRoutingCssName", "aarNeighborhoodName", "loadInformation",
	"vendorConfig", "versionStamp", "traceFlag", "mlppDomainId", "mlppIndicationStatus",
	"preemption", "useTrustedRelayPoint", "retryVideoCallAsAudio", "securityProfileName",
	"sipProfileName", "cgpnTransformationCssName", "useDevicePoolCgpnTransformCss",
	"geoLocationName", "geoLocationFilterName", "sendGeoLocation", "removeLines", "addLines",
	"lines", "phoneTemplateName", "speeddials", "busyLampFields", "primaryPhoneName",
	"ringSettingIdleBlfAudibleAlert", "ringSettingBusyBlfAudibleAlert", "blfDirectedCallParks",
	"addOnModules", "userLocale", "networkLocale", "idleTimeout", "authenticationUrl",
	"directoryUrl", "idleUrl", "informationUrl", "messagesUrl", "proxyServerUrl",
	"servicesUrl", "services", "softkeyTemplateName", "defaultProfileName",
	"enableExtensionMobility", "singleButtonBarge", "joinAcrossLines", "builtInBridgeStatus",
	"callInfoPrivacyStatus", "hlogStatus", "ownerUserName", "ignorePresentationIndicators",
	"packetCaptureMode", "packetCaptureDuration", "subscribeCallingSearchSpaceName",
	"rerouteCallingSearchSpaceName", "allowCtiControlFlag", "presenceGroupName",
	"unattendedPort", "requireDtmfReception", "rfc2833Disabled", "certificateOperation",
	"authenticationMode", "keySize", "keyOrder", "ecKeySize", "authenticationString",
	"upgradeFinishTime", "deviceMobilityMode", "remoteDevice", "dndOption", "dndRingSetting",
	"dndStatus", "isActive", "mobilityUserIdName", "phoneSuite", "phoneServiceDisplay",
	"isProtected", "mtpRequired", "mtpPreferedCodec", "dialRulesName", "sshUserId", "sshPwd",
	"digestUser", "outboundCallRollover", "hotlineDevice", "secureInformationUrl",
	"secureDirectoryUrl", "secureMessageUrl", "secureServicesUrl", "secureAuthenticationUrl",
	"secureIdleUrl", "alwaysUsePrimeLine", "alwaysUsePrimeLineForVoiceMessage",
	"featureControlPolicy", "deviceTrustMode", "earlyOfferSupportForVoiceCall",
	"requireThirdPartyRegistration", "blockIncomingCallsWhenRoaming", "homeNetworkId",
	"AllowPresentationSharingUsingBfcp", "confidentialAccess", "requireOffPremiseLocation",
	"allowiXApplicableMedia", "cgpnIngressDN", "useDevicePoolCgpnIngressDN", "msisdn",
	"enableCallRoutingToRdWhenNoneIsActive", "wifiHotspotProfile", "wirelessLanProfileGroup",
	"elinGroup", "enableActivationID", "mraServiceDomain", "allowMraMode",
}

// xPhoneLineElements lists the children of the schema's XPhoneLine.
var xPhoneLineElements = []string{
	"index", "label", "display", "dirn", "ringSetting", "consecutiveRingSetting",
	"ringSettingIdlePickupAlert", "ringSettingActivePickupAlert", "displayAscii", "e164Mask",
	"mwlPolicy", "maxNumCalls", "busyTrigger", "callInfoDisplay", "recordingProfileName",
	"monitoringCssName", "recordingFlag", "audibleMwi", "speedDial", "partitionUsage",
	"associatedEndusers", "missedCallLogging", "recordingMediaSource",
}

// xDeviceProfileElements lists the children of the schema's XDeviceProfile.
var xDeviceProfileElements = []string{
	"name", "description", "product", "class", "protocol", "protocolSide",
	"userHoldMohAudioSourceId", "vendorConfig", "traceFlag", "mlppDomainId",
	"mlppIndicationStatus", "preemption", "lines", "phoneTemplateName", "speeddials",
	"busyLampFields", "blfDirectedCallParks", "addOnModules", "userLocale",
	"singleButtonBarge", "joinAcrossLines", "loginUserId", "ignorePresentationIndicators",
	"dndOption", "dndRingSetting", "dndStatus", "emccCallingSearchSpace", "alwaysUsePrimeLine",
	"alwaysUsePrimeLineForVoiceMessage", "softkeyTemplateName", "callInfoPrivacyStatus",
	"services", "featureControlPolicy",
}

// xRemoteDestinationProfileElements lists the children of the schema's XRemoteDestinationProfile.
var xRemoteDestinationProfileElements = []string{
	"name", "description", "product", "class", "protocol", "protocolSide",
	"callingSearchSpaceName", "devicePoolName", "networkHoldMohAudioSourceId",
	"userHoldMohAudioSourceId", "lines", "callInfoPrivacyStatus", "userId",
	"ignorePresentationIndicators", "rerouteCallingSearchSpaceName",
	"cgpnTransformationCssName", "automatedAlternateRoutingCssName",
	"useDevicePoolCgpnTransformCss", "userLocale", "networkLocale", "primaryPhoneName",
	"dndOption", "dndStatus", "mobileSmartClientProfileName",
}

// xRemoteDestinationElements lists the children of the schema's XRemoteDestination.
var xRemoteDestinationElements = []string{
	"name", "destination", "answerTooSoonTimer", "answerTooLateTimer",
	"delayBeforeRingingCell", "ownerUserId", "enableUnifiedMobility",
	"remoteDestinationProfileName", "enableExtendAndConnect", "ctiRemoteDeviceName",
	"dualModeDeviceName", "isMobilePhone", "enableMobileConnect", "lineAssociations",
	"timeZone", "todAccessName", "mobileSmartClientName", "mobilityProfileName",
	"singleNumberReachVoicemail", "dialViaOfficeReverseVoicemail", "ringSchedule",
	"accessListName",
}
