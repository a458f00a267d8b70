using Azure.Data.Tables;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// What one attempt of <see cref="ETagRetry.ReadModifyWriteAsync"/> decided: write <see cref="Row"/> (insert when the
/// read found none, else replace with the read's ETag) and then answer <see cref="Result"/>, or write nothing and
/// answer <see cref="Result"/> now.
/// </summary>
internal readonly record struct RowChange<T>(TableEntity? Row, T Result)
{
    public static RowChange<T> Write(TableEntity row, T result) => new(row, result);

    public static RowChange<T> Keep(T result) => new(null, result);
}
