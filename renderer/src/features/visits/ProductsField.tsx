// The products pitched or sold on the visit, each with a quantity.
import { Autocomplete, Box, Button, CloseButton, Group, SegmentedControl, Text, TextInput } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import type { FieldChange, FieldErrors } from './fields'
import { PRODUCTS, type VisitForm } from './visitForm'

type Products = VisitForm['products']

export function ProductsField({ value, onChange, err, clearError }: { value: Products; onChange: FieldChange<Products> } & FieldErrors) {
  const { t } = useTranslation()
  return (
    <Box data-field="products">
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          {t('visits.log.products')}
        </Text>
        <Button size="compact-xs" variant="subtle" onClick={() => onChange((ps) => [...ps, { product: '', outcome: 'pitched', quantity: '1' }])}>
          + {t('visits.log.addProduct')}
        </Button>
      </Group>
      {value.map((p, i) => (
        <Group key={i} gap={4} wrap="nowrap" mt={4} align="flex-start">
          <Autocomplete
            size="xs"
            style={{ flex: 1 }}
            placeholder={t('visits.log.product')}
            data={PRODUCTS}
            value={p.product}
            error={err(`products.${i}.product`)}
            onChange={(v) => {
              onChange((ps) => ps.map((x, j) => (j === i ? { ...x, product: v } : x)))
              clearError(`products.${i}.product`)
            }}
          />
          <SegmentedControl
            size="xs"
            data={[
              { value: 'pitched', label: t('visits.log.pitched') },
              { value: 'sold', label: t('visits.log.sold') },
            ]}
            value={p.outcome}
            onChange={(v) => onChange((ps) => ps.map((x, j) => (j === i ? { ...x, outcome: v as 'pitched' | 'sold' } : x)))}
          />
          <TextInput
            size="xs"
            w={60}
            aria-label={t('visits.log.quantity')}
            value={p.quantity}
            error={err(`products.${i}.quantity`)}
            onChange={(e) => {
              const quantity = e.currentTarget.value
              onChange((ps) => ps.map((x, j) => (j === i ? { ...x, quantity } : x)))
              clearError(`products.${i}.quantity`)
            }}
          />
          <CloseButton size="sm" onClick={() => onChange((ps) => ps.filter((_, j) => j !== i))} />
        </Group>
      ))}
    </Box>
  )
}
