// Import key customers from CSV/XLSX (the table import dialog): coded values in the sample read as
// the user knows them (商业, 意向 …); the village code and name only place the customer.
import { useTranslation } from 'react-i18next'
import type { ImportResult } from '../../../../shared/api/imports'
import { TableImportDialog } from '../imports/TableImportDialog'

const codedAs: Record<string, string> = { category: 'customers.category', funnelStage: 'customers.stage', rivalUsed: 'customers.rival' }

export function CustomerImportDialog({ opened, onClose, onImported }: { opened: boolean; onClose: () => void; onImported: (r: ImportResult) => void }) {
  const { t } = useTranslation()
  const sampleCell = (column: string, value: unknown) =>
    value == null
      ? ''
      : codedAs[column]
        ? t(`${codedAs[column]}.${String(value)}`)
        : column === 'tierOverride'
          ? t('customers.tierLabel', { tier: String(value) })
          : String(value)
  return (
    <TableImportDialog
      kind="customers"
      opened={opened}
      onClose={onClose}
      onImported={onImported}
      title={t('customers.importDialog.title')}
      hint={t('customers.importDialog.hint')}
      testId="customer-import"
      hiddenColumns={['villageCode', 'villageName']}
      sampleCell={sampleCell}
    />
  )
}
