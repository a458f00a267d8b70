namespace BackupFunctions.Core.Catalog;

/// <summary>Where the catalog lives (settings section <c>Catalog</c>).</summary>
public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>Table Storage connection string (Azurite locally). Empty: use <see cref="TableServiceUri"/> with managed identity.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Table service endpoint for managed identity, e.g. https://account.table.core.windows.net.</summary>
    public string TableServiceUri { get; set; } = "";

    /// <summary>Prepended to every table name, so several installs (or test runs) can share one account.</summary>
    public string TablePrefix { get; set; } = "";
}
