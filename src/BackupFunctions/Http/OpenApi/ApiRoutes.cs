using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Retention;
using BackupFunctions.Core.Storage;
using static BackupFunctions.Http.OpenApi.ApiRoute;

namespace BackupFunctions.Http.OpenApi;

/// <summary>
/// Every HTTP function of the app, as the OpenAPI document (<see cref="ApiDocument"/>) describes it: method, route,
/// function name, the body it reads, its answers with their types and the query it takes. The types are the ones the
/// functions read and write; their schemas are generated from them (<see cref="ApiSchemaGenerator"/>). A function
/// without a row here fails OpenApiDocumentTests, naming its method and route.
/// </summary>
public static class ApiRoutes
{
    public static readonly IReadOnlyList<ApiRoute> All =
    [
        // backup-configs
        Post("backup-configs", "CreateBackupConfig", "Create a backup config (today's words or the seed's; answered in the canonical shape)")
            .Takes<BackupConfigInput>(ApiExamples.CreateConfig, ApiExamples.CreateConfigByStorageId, ApiExamples.CreateConfigSeedShape).Created<BackupConfigView>().Invalid(),
        Get("backup-configs", "ListBackupConfigs", "List the configs, newest first").Paged().Ok<Page<BackupConfigView>>(),
        Get("backup-configs/{id}", "GetBackupConfig", "One config, with its next scheduled run and its ETag").Ok<BackupConfigView>().NotFound("config"),
        Put("backup-configs/{id}", "ReplaceBackupConfig", "Replace a config (validated as a create); the next run uses it, a running job keeps the old one")
            .Header("If-Match", "The ETag of the version the editor read (or send the body's updatedAt); a stale one is a 412.")
            .Takes<BackupConfigInput>(ApiExamples.CreateConfig).Ok<BackupConfigView>().Invalid().NotFound("config")
            .Problem(412, "Another editor saved first; the answer names If-Match and carries the current ETag."),
        Delete("backup-configs/{id}", "DeleteBackupConfig", "Delete a config; its backups stay listed and restorable unless deleteBackups=true")
            .Header("If-Match", "Optional: the ETag of the version the caller read.")
            .Query<bool>("deleteBackups", "true removes its backups as retention does (locked ones stay); default false.")
            .Ok<DeletedBackupConfigView>().Invalid().NotFound("config").Conflict("A backup or restore of the config is pending or running.")
            .Problem(412, "The config changed since the caller read it."),
        Post("backup-configs/{id}/test", "TestBackupConfig", "Check everything a run needs (database, pg_dump, site, destinations, key) without writing a backup")
            .Ok<ConfigTestReport>("Every check with ok and durationMs; kind and message for a failed one.").NotFound("config"),
        Post("backup-configs/{id}/cleanup", "CleanupBackups", "Show (dry run, the default) or apply the config's retention plan").TakesOptional<CleanupBody>(ApiExamples.CleanupApply)
            .Ok<RetentionReport>("The plan (dryRun true): every backup with its decision and reasons.").Accepted<CleanupStarted>("The plan is being applied; follow it with GET on the same route.")
            .Invalid("The config has no retention rule, or the body is not valid.").NotFound("config").Conflict("A cleanup of the config is running."),
        Get("backup-configs/{id}/cleanup", "GetCleanup", "The last cleanup applied through the API").Ok<CleanupView>().NotFound("config"),
        Post("backup-configs/{id}/restore-drill", "StartRestoreDrill", "Run a restore drill now").Accepted<RestoreDrillStarted>("The drill runs; follow it at Location.")
            .NotFound("config").Conflict("A drill of the config is running, or it has no backup yet."),
        Post("backup-configs/{id}/restore", "RestoreBackupConfig", "Restore the config's newest good backup made at or before a point in time").Takes<PointInTimeRestoreBody>(ApiExamples.RestoreAtPointInTime)
            .Accepted<RestoreStarted>("The restore runs; follow it at Location.").Ok<RestorePreview>("The preview (dryRun true); nothing changed.").Invalid()
            .NotFound("config, or no backup at or before pointInTime").Conflict("The backup cannot be restored now (the detail says why)."),

        // backups
        Post("backups", "StartBackup", "Start a backup of a config now").Takes<StartBackupBody>(ApiExamples.StartBackup).Accepted<BackupStarted>("The job runs; follow it at Location.")
            .Invalid().NotFound("config").Conflict("The config has maxConcurrent jobs running, or a restore of it runs."),
        Get("backups", "ListBackups", "Backups, newest first, filtered; totalCount from the per-config counters")
            .Query<string>("configId", "Only this config's backups (alone: its restore points, completed or completed_with_warnings).")
            .Query<string>("type", "full, incremental, database or files.")
            .Query<string>("status", "any, or one or more backup statuses separated by commas.")
            .Query<DateTimeOffset>("from", "Only backups created at or after this instant (with an offset; send + as %2B).")
            .Query<DateTimeOffset>("to", "Only backups created before this instant.")
            .Paged().Ok<BackupListPage>("A page, with totalCount (null when from or to limit the time)."),
        Get("backups/{id}", "GetBackup", "One backup: sizes, checksum, statistics, copies and their verification").Ok<BackupRecord>().NotFound("backup"),
        Delete("backups/{id}", "DeleteBackup", "Delete a backup: every copy, manifest first, then its row")
            .Query<bool>("force", "true deletes the newest successful backup of an enabled config too (nothing else).")
            .NoContent("Every copy and the row are gone.").Invalid().NotFound("backup")
            .Conflict("Refused, reason in reason: restoring, no_destination, locked, referenced or newest.")
            .Problem(503, "A destination failed part-way; the backup stays deleting and a repeat (or retention) finishes it."),
        Get("backups/{id}/download", "DownloadBackup", "Download the backup as one tar, decrypted and checked as it streams")
            .Query<string>("format", "tar (default: database.dump and files/, decrypted) or stored (the stored objects as they are, encrypted).")
            .Streams(200, "application/x-tar", "The tar; the connection breaks (never a short valid tar) when damage is found mid-stream.")
            .Invalid().NotFound("backup").Conflict("Being deleted, no readable copy, or a damaged manifest or index."),
        Post("backups/{id}/replicate", "RetryBackupCopies", "Retry the backup's failed copies").Accepted<CopyRetryAnswer>("The failed copies are being retried.")
            .Ok<CopyRetryAnswer>("Every copy exists; nothing to retry.").NotFound("backup").Conflict("The backup is being removed."),
        Post("backups/{id}/verify", "VerifyBackup", "Verify the backup's copies, quick or deep").TakesOptional<VerifyBackupBody>(ApiExamples.VerifyQuick)
            .Accepted<VerificationStarted>("The verification runs; its outcome lands in the backup.").Invalid().NotFound("backup").Conflict("A verification of the backup runs, or it is being removed."),
        Post("backups/{id}/restore", "RestoreBackup", "Restore the backup (in place by default, after a pre-restore backup), or preview it").TakesOptional<RestoreOptions>(ApiExamples.RestoreInPlace, ApiExamples.RestorePreview, ApiExamples.RestoreElsewhere)
            .Accepted<RestoreStarted>("The restore runs; follow it at Location.").Ok<RestorePreview>("The preview (dryRun true); nothing changed.").Invalid()
            .NotFound("backup").Conflict("The backup is no restore point, or a backup or restore of its config runs."),

        // backup-jobs
        Get("backup-jobs", "ListBackupJobs", "Backup jobs, newest first").Query<string>("configId", "Only this config's jobs.").Query<JobStatus>("status", "Only jobs with this status.").Paged().Ok<Page<BackupJob>>(),
        Get("backup-jobs/{id}", "GetBackupJob", "A backup job: status, progress, result").Ok<BackupJob>().NotFound("backup job"),
        Post("backup-jobs/{id}/cancel", "CancelBackupJob", "Cancel a pending or running backup job").Accepted<BackupJob>("The job stops within seconds and ends cancelled.").NotFound("backup job").Conflict("The job has already ended."),
        Get("backup-jobs/{id}/logs", "ListBackupJobLogs", "The backup job's log, oldest first").Paged().Ok<Page<JobLogEntry>>().NotFound("backup job"),

        // restore-jobs
        Get("restore-jobs", "ListRestoreJobs", "Restore jobs, newest first").Query<string>("configId", "Only this config's restores.").Query<RestoreJobStatus>("status", "Only restores with this status.").Paged().Ok<Page<RestoreJob>>(),
        Get("restore-jobs/{id}", "GetRestoreJob", "A restore job: status, progress, result").Ok<RestoreJob>().NotFound("restore job"),
        Post("restore-jobs/{id}/cancel", "CancelRestoreJob", "Cancel a pending or running restore").Accepted<RestoreJob>("The restore stops: cancelled before the live site changed, rolled_back after.").NotFound("restore job").Conflict("The restore has already ended."),
        Get("restore-jobs/{id}/logs", "ListRestoreJobLogs", "The restore job's log, oldest first").Paged().Ok<Page<JobLogEntry>>().NotFound("restore job"),

        // restore-drills
        Get("restore-drills/{id}", "GetRestoreDrill", "A restore drill: status, measured restore time, checks").Ok<RestoreDrill>().NotFound("restore drill"),
        Post("restore-drills/{id}/cancel", "CancelRestoreDrill", "Stop a restore drill between steps").Accepted<RestoreDrill>("The drill stops; its scratch targets are removed.").NotFound("restore drill").Conflict("The drill has ended."),

        // backup-storage
        Post("backup-storage", "CreateBackupStorage", "Create a storage location").Takes<StorageLocationInput>(ApiExamples.CreateStorage).Created<StorageLocationView>().Invalid(),
        Get("backup-storage", "ListBackupStorage", "Storage locations, newest first").Paged().Ok<Page<StorageLocationView>>(),
        Get("backup-storage/{id}", "GetBackupStorage", "One storage location (its secrets only by name)").Ok<StorageLocationView>().NotFound("storage location"),
        Put("backup-storage/{id}", "UpdateBackupStorage", "Rename, rotate secrets, change maxSizeBytes, enable or disable a storage location")
            .Takes<StorageLocationUpdate>().Ok<StorageLocationView>().Invalid().NotFound("storage location"),
        Delete("backup-storage/{id}", "DeleteBackupStorage", "Delete a storage location no config and no backup uses")
            .NoContent("The location is gone.").NotFound("storage location").Conflict("A config names it or a backup is stored there (reason in_use)."),
        Post("backup-storage/{id}/test", "TestBackupStorage", "Write, read back, list and delete a probe object").Ok<StorageProbeResult>("The outcome, passed or not: ok, the steps and, on failure, the step and why.").NotFound("storage location"),

        // backup-alerts, backup-health
        Get("backup-alerts", "ListBackupAlerts", "Alerts, newest first").Query<string>("status", "open, acknowledged or resolved.").Query<string>("configId", "Only this config's alerts.")
            .Query<string>("severity", "low, medium, high or critical.").Query<string>("type", "The alert type (backup_failed, backup_overdue, …).").Paged().Ok<Page<BackupAlert>>(),
        Post("backup-alerts/{id}/acknowledge", "AcknowledgeBackupAlert", "Acknowledge an open alert").TakesOptional<AcknowledgeAlertBody>(ApiExamples.Acknowledge).Ok<BackupAlert>().Invalid().NotFound("alert").Conflict("The alert is resolved."),
        Get("backup-health", "GetBackupHealth", "Overall and per-config health").Ok<BackupHealthReport>(),

        // the operator pages (static files; the API calls they make carry the key)
        Get("ui/{*path}", "GetUiPage", "The dashboard, configuration page and restore dialog (static files)").Anonymous()
            .Streams(200, "text/html", "The page or asset (its own content type); 304 for a current If-None-Match.").Invalid("The path is not a plain file name under ui/.").NotFound("page"),

        // this document
        Get("openapi.json", "GetOpenApiDocument", "This OpenAPI 3.1 document").Streams(200, Json, "The document."),
    ];
}
