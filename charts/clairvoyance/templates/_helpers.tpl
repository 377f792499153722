{{/*
Names. Everything cluster-scoped (ClusterRole, ClusterRoleBinding, the webhook
configurations the controller registers) carries the full name, so two releases in
one cluster never collide.
*/}}
{{- define "clairvoyance.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "clairvoyance.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "clairvoyance.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "clairvoyance.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "clairvoyance.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "clairvoyance.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Service the API server calls the webhook through (its certificate names it). */}}
{{- define "clairvoyance.webhookService" -}}
{{- printf "%s-webhook" (include "clairvoyance.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "clairvoyance.metricsService" -}}
{{- printf "%s-metrics" (include "clairvoyance.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of the Validating and Mutating webhook configurations the controller applies. */}}
{{- define "clairvoyance.webhookConfigurationName" -}}
{{- default (include "clairvoyance.fullname" .) .Values.webhook.configurationName }}
{{- end }}

{{- define "clairvoyance.leaseName" -}}
{{- default (include "clairvoyance.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/* Fixed by the controller (WEBHOOK_TLS_SECRET); the Role grants access to it by name. */}}
{{- define "clairvoyance.tlsSecretName" -}}
clairvoyance-webhook-tls
{{- end }}

{{- define "clairvoyance.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "clairvoyance.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "clairvoyance.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: clairvoyance
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "clairvoyance.selectorLabels" -}}
app.kubernetes.io/name: {{ include "clairvoyance.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector labels of one Deployment: the unsharded one keeps the release's own (the
webhook Service and the budget select it); a shard's pods carry a name of their own,
so no Service sends them admission requests. Called with (list $ shardName).
*/}}
{{- define "clairvoyance.shardSelectorLabels" -}}
{{- $root := index . 0 }}
{{- $shard := index . 1 }}
{{- if $shard }}
app.kubernetes.io/name: {{ include "clairvoyance.name" $root }}-shard
app.kubernetes.io/instance: {{ $root.Release.Name }}
clairvoyance.dev/shard: {{ $shard | quote }}
{{- else }}
{{- include "clairvoyance.selectorLabels" $root }}
{{- end }}
{{- end }}
